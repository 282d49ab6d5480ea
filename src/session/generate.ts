// The source nvcc compiles for one unit (a cell, or a part of one): the file-scope text of the
// cells before it, the declarations of the earlier units it uses (each in its own versioned
// namespace), using-declarations that make the newest definition of each name the one seen, then
// the unit's own definitions in its namespace and its statements in a generated function.
import { createHash } from 'node:crypto';
import { type Chunk, qualified } from './cell-model.js';
import { closureOf, type SessionState, type UnitRecord, type Visible } from './state.js';

/** Where generated lines say they come from, so nvcc never blames the user's cell for them. */
const GLUE = '#line 1 "icuda-session"';
/** Own chunks are labelled with this until the text is hashed (a re-run under a new number is the same unit). */
const OWN_LABEL = 'cell[@]';

/** A unit ready to compile and, once loaded, to commit. */
export interface UnitPlan {
  record: UnitRecord;
  /** cell.cu's text. */
  source: string;
  /** The C symbol of its statement function. */
  symbol: string;
  /** Defines no variable: an identical text (and flags) is the same object, loaded once per runner. */
  reusable: boolean;
  /** The text with the unit's number and the cell's own number left out, and the flags: equal keys, equal objects. */
  key: string;
  /** %bench: the C symbol of `void (double *bytes, double *flops)` that evaluates --bytes and --flops. */
  work?: string;
}

/** %bench's --bytes and --flops: C++ expressions evaluated in the unit's context. */
export interface WorkExpressions {
  bytes?: string;
  flops?: string;
}

/** Kinds that must start fresh when their cell runs again. */
const FRESH_KINDS = new Set(['variable', 'device-variable']);
/** Stands for the unit's number until the text is hashed. */
const ID = '@ID@';

/** Plans the unit for one part of a cell; `id` numbers its namespace. */
export function planUnit(
  state: SessionState,
  part: Chunk[],
  cell: number,
  id: number,
  refs: Iterable<string>,
  flags: string[] = [],
  work?: WorkExpressions,
): UnitPlan {
  const defs = part.flatMap((chunk) => chunk.defs);
  const own = new Set(defs.map((def) => qualified(def.path, def.name)));
  const view = withoutDeviceVariables(state.viewFor(refs, own));
  const ownGlobals = part
    .filter((chunk) => chunk.kind === 'global')
    .map((chunk) => globalText(chunk, OWN_LABEL))
    .join('');
  const body = [
    GLUE,
    state.globals(),
    ownGlobals,
    GLUE,
    '#pragma nv_diag_suppress 177',
    ...closureOf(view).map((unit) => unit.block),
    ...[...view].map(([, visible]) => usingFor(visible)),
    '#pragma nv_diag_default 177',
    ownNamespace(`icuda_u${ID}`, part, view),
    GLUE,
    `extern "C" void icuda_run_u${ID}() { icuda_u${ID}::icuda_body(); }`,
    ...(work ? [workFunctions(`icuda_u${ID}`, work)] : []),
  ].join('\n');
  const key = createHash('sha256')
    .update(JSON.stringify([body, flags]))
    .digest('hex')
    .slice(0, 24);
  const named = (text: string) => text.replaceAll(`_u${ID}`, `_u${id}`).replaceAll(`"${OWN_LABEL}"`, `"cell[${cell}]"`);
  const ns = `icuda_u${id}`;
  const record: UnitRecord = { id, ns, cell, defs, globals: named(ownGlobals), block: '', needs: [] };
  record.block = carriedBlock(state, record, part);
  const reusable = !defs.some((def) => FRESH_KINDS.has(def.kind));
  const workSymbol = work ? { work: `icuda_work_u${id}` } : {};
  return { record, source: named(withTraits(body)), symbol: `icuda_run_u${id}`, reusable, key, ...workSymbol };
}

/** <type_traits> first when a carried `auto` variable's declaration needs std::decay_t. */
function withTraits(body: string): string {
  return body.includes('std::decay_t<decltype(') ? `#include <type_traits>\n${body}` : body;
}

/** `#line N "cell[C]"` before a chunk's text. */
function lineTag(chunk: Chunk, label: string): string {
  return `#line ${chunk.line} "${label}"`;
}

/** `namespace a { namespace b { text } }`. */
function wrap(path: readonly string[], text: string): string {
  return path.reduceRight((inner, name) => `namespace ${name} {\n${inner}\n}`, text);
}

/** A global chunk as every unit from here on compiles it (a #define first #undefs its macro). */
function globalText(chunk: Chunk, label: string): string {
  const undef = chunk.macro ? `#undef ${chunk.macro}\n` : '';
  return `${undef}${lineTag(chunk, label)}\n${wrap(chunk.path, chunk.text)}\n`;
}

/** Device variables never reach a later unit (the caller has refused cells that use one). */
function withoutDeviceVariables(view: Map<string, Visible>): Map<string, Visible> {
  return new Map([...view].filter(([, visible]) => visible.def.kind !== 'device-variable'));
}

/** `using icuda_u3::q::w;` inside namespace q: the newest definition of q::w. */
function usingFor({ unit, def }: Visible): string {
  return wrap(def.path, `using ${unit.ns}::${qualified(def.path, def.name)};`);
}

/** The unit's namespace: usings for its own nested namespaces, its definitions, its statements. */
function ownNamespace(ns: string, part: Chunk[], view: Map<string, Visible>): string {
  const own = new Set(part.flatMap((chunk) => chunk.defs.map((def) => qualified(def.path, def.name))));
  const inside = (chunk: Chunk) => chunk.kind === 'decl' || (chunk.kind === 'member' && own.has(qualified(chunk.path, chunk.target ?? '')));
  const text = (chunk: Chunk) => `${lineTag(chunk, OWN_LABEL)}\n${wrap(chunk.path, chunk.text)}`;
  const opened = new Set(part.filter(inside).flatMap((chunk) => chunk.path.map((_, i) => chunk.path.slice(0, i + 1).join('::'))));
  const nested = [...view.values()].filter((visible) => opened.has(visible.def.path.join('::')));
  return [
    `namespace ${ns} {`,
    ...nested.map(usingFor),
    ...part.filter(inside).map(text),
    GLUE,
    'static void icuda_body() {',
    ...part.filter((chunk) => chunk.kind === 'stmt').map(text),
    GLUE,
    '}',
    '}',
    ...part.filter((chunk) => chunk.kind === 'member' && !inside(chunk)).map(text),
  ].join('\n');
}

/** `icuda_work_u<N>(bytes, flops)`: each expression given, evaluated in the unit's namespace
 * (where the cell's names and the earlier cells' are seen); its diagnostics name the option. */
function workFunctions(ns: string, work: WorkExpressions): string {
  const one = (name: 'bytes' | 'flops') => {
    const expression = work[name];
    if (expression === undefined) return '';
    return [`double icuda_${name}() { return (double)(`, `#line 1 "%bench --${name}"`, expression, GLUE, '); }'].join('\n');
  };
  const set = (name: 'bytes' | 'flops') => (work[name] === undefined ? '' : ` *${name} = ${ns}::icuda_${name}();`);
  return [
    `namespace ${ns} {`,
    one('bytes'),
    one('flops'),
    '}',
    `extern "C" void icuda_work_${ns.slice('icuda_'.length)}(double *bytes, double *flops) {${set('bytes')}${set('flops')} }`,
  ].join('\n');
}

/** What later units compile of this one: the usings its declarations need, then the declarations. */
function carriedBlock(state: SessionState, record: UnitRecord, part: Chunk[]): string {
  const carried = part.filter((chunk) => chunk.kind === 'decl' && chunk.carried !== undefined);
  if (carried.length === 0) return '';
  const own = new Set(record.defs.map((def) => qualified(def.path, def.name)));
  const view = withoutDeviceVariables(state.viewFor(new Set(carried.flatMap((chunk) => chunk.refs)), own));
  record.needs = [...new Set([...view.values()].map((visible) => visible.unit))];
  const label = `cell[${record.cell}]`;
  return [
    `namespace ${record.ns} {`,
    ...[...view.values()].map(usingFor),
    ...carried.map((chunk) => `${lineTag(chunk, label)}\n${wrap(chunk.path, chunk.carried ?? '')}`),
    GLUE,
    '}',
  ].join('\n');
}
