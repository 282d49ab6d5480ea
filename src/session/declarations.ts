// One top-level declaration of a session cell as a chunk: what it defines, and the text later
// cells compile in its place (a prototype, an extern declaration, or its source again).
import { type Chunk, type Definition, type DefKind } from './cell-model.js';
import type { SyntaxNode } from './parser.js';
import { identifiersIn, isStatic, nameOf, qualifiersOf, textWithout, type DeclaredName } from './syntax.js';

const DEVICE_VARIABLE = ['__device__', '__constant__', '__managed__', '__shared__'];
const TYPE_SPECIFIERS = new Set(['struct_specifier', 'class_specifier', 'union_specifier', 'enum_specifier']);

/** A chunk with nothing filled in yet. */
export function chunkOf(kind: Chunk['kind'], node: SyntaxNode, path: string[], text = node.text): Chunk {
  return { kind, path, line: node.startPosition.row + 1, text, defs: [], refs: [] };
}

/** A definition of `name` made by `node`. */
function define(node: SyntaxNode, path: string[], name: string, kind: DefKind, signature: string): Definition {
  return { name, path, kind, line: node.startPosition.row + 1, signature: signature.replace(/\s+/g, ' ').trim() };
}

/** A function definition: host functions and kernels are carried as prototypes, the rest as source. */
export function functionChunk(node: SyntaxNode, path: string[]): Chunk {
  const declared = nameOf(node.childForFieldName('declarator'));
  const body = node.childForFieldName('body');
  if (!declared || declared.qualified) return memberChunk(node, path, declared);
  const quals = qualifiersOf(node);
  const prototype = textWithout(node, (child) => isStatic(child) || child.id === body?.id).trim() + ';';
  const kind: DefKind = quals.has('__global__')
    ? 'kernel'
    : quals.has('__device__') || quals.has('inline') || quals.has('constexpr') || quals.has('__forceinline__')
      ? 'device-function'
      : 'function';
  const chunk = chunkOf('decl', node, path, textWithout(node, isStatic));
  chunk.defs.push(define(node, path, declared.name, kind, prototype));
  const asSource = kind === 'device-function';
  chunk.carried = asSource ? (quals.has('static') ? node.text : `static ${node.text}`) : prototype;
  chunk.refs = identifiersIn(node, asSource ? undefined : (child) => child.id === body?.id);
  return chunk;
}

/** An out-of-class definition (`int P::get() const {...}`, `int P::count = 0;`). */
function memberChunk(node: SyntaxNode, path: string[], declared: DeclaredName | undefined): Chunk {
  const chunk = chunkOf(declared ? 'member' : 'decl', node, path);
  chunk.target = declared?.name.split('::')[0].replace(/<.*$/, '');
  return chunk;
}

/** A template: carried as source; an out-of-class member template is a member chunk. */
export function templateChunk(node: SyntaxNode, path: string[]): Chunk {
  const inner = node.namedChildren.find((child) => child !== null && child.type !== 'template_parameter_list') ?? null;
  const declared =
    inner && TYPE_SPECIFIERS.has(inner.type)
      ? { name: inner.childForFieldName('name')?.text ?? '' }
      : nameOf(inner?.childForFieldName('declarator') ?? null);
  if (declared && 'qualified' in declared && declared.qualified) return memberChunk(node, path, declared);
  if (!declared?.name) return chunkOf('decl', node, path); // a specialization: compiled here only
  if (inner?.type === 'declaration' && 'isFunction' in declared && declared.isFunction) {
    return Object.assign(chunkOf('proto', node, path), { target: declared.name });
  }
  const chunk = chunkOf('decl', node, path);
  chunk.defs.push(define(node, path, declared.name, 'template', node.text.split('{')[0]));
  chunk.carried = node.text;
  chunk.refs = identifiersIn(node);
  return chunk;
}

/** struct/class/union/enum with a body: a type (and an unscoped enum's values); without one, a forward declaration. */
export function typeChunk(node: SyntaxNode, path: string[]): Chunk {
  const name = node.childForFieldName('name')?.text;
  const body = node.childForFieldName('body');
  if (name && !body) return Object.assign(chunkOf('proto', node, path), { target: name });
  const chunk = chunkOf('decl', node, path);
  if (name) chunk.defs.push(define(node, path, name, 'type', node.text.split('{')[0]));
  if (node.type === 'enum_specifier' && !/^enum\s+(class|struct)\b/.test(node.text)) {
    for (const value of body?.namedChildren ?? []) {
      const valueName = value?.type === 'enumerator' ? value.childForFieldName('name')?.text : undefined;
      if (valueName && value) chunk.defs.push(define(value, path, valueName, 'constant', valueName));
    }
  }
  chunk.carried = node.text;
  chunk.refs = identifiersIn(node);
  return chunk;
}

/** typedef and `using T = ...`: types, carried as source. */
export function aliasChunk(node: SyntaxNode, path: string[]): Chunk {
  const chunk = chunkOf('decl', node, path);
  const names =
    node.type === 'alias_declaration'
      ? [node.childForFieldName('name')?.text]
      : node.childrenForFieldName('declarator').map((declarator) => nameOf(declarator)?.name);
  for (const name of names) if (name) chunk.defs.push(define(node, path, name, 'type', node.text));
  chunk.carried = node.text;
  chunk.refs = identifiersIn(node);
  return chunk;
}

/** A declaration: variables (host, const, device), or prototypes and extern declarations.
 * `isValue` says which names are values, for `T v(n)` (a variable, not a function taking an `n`). */
export function declarationChunk(node: SyntaxNode, path: string[], isValue: (name: string) => boolean = () => false): Chunk {
  const quals = qualifiersOf(node);
  const declarators = node.childrenForFieldName('declarator');
  const constructed = new Set(declarators.filter((d) => isConstructed(d, isValue)).map((d) => d.id));
  const names = declarators.map((d) => nameOf(constructed.has(d.id) ? d.childForFieldName('declarator') : d));
  const first = names[0];
  if (first?.qualified) return memberChunk(node, path, first);
  if (!first || first.isFunction || quals.has('extern')) {
    return Object.assign(chunkOf(first ? 'proto' : 'decl', node, path), { target: first?.name });
  }
  const chunk = chunkOf('decl', node, path, textWithout(node, isStatic));
  chunk.variable = true;
  const type = node.childForFieldName('type');
  const device = DEVICE_VARIABLE.some((word) => quals.has(word));
  const constant = quals.has('constexpr') || (quals.has('const') && !first.throughPointer) || first.constPointer;
  const lambda = declarators.some((declarator) => declarator.childForFieldName('value')?.type === 'lambda_expression');
  const kind: DefKind = device ? 'device-variable' : constant || lambda ? 'constant' : 'variable';
  const typeText = type ? node.text.slice(0, type.endIndex - node.startIndex) : '';
  for (const [i, declared] of names.entries()) {
    if (declared)
      chunk.defs.push(define(node, path, declared.name, kind, `${typeText} ${withoutInitializer(declarators[i], constructed)}`));
  }
  if (type && TYPE_SPECIFIERS.has(type.type) && type.childForFieldName('body')) {
    const typeName = type.childForFieldName('name')?.text;
    if (typeName) chunk.defs.unshift(define(type, path, typeName, 'type', type.text.split('{')[0]));
  }
  chunk.carried =
    kind === 'device-variable'
      ? undefined
      : kind === 'constant'
        ? constantText(node, quals, lambda)
        : externText(node, declarators, constructed);
  chunk.refs = identifiersIn(node);
  return chunk;
}

/** `v(n)`, which the grammar reads as a function taking a type `n`: a variable constructed from
 * values when every "parameter" is a bare name of a value (as C++ decides it). */
function isConstructed(declarator: SyntaxNode, isValue: (name: string) => boolean): boolean {
  if (declarator.type !== 'function_declarator') return false;
  const parameters = declarator.childForFieldName('parameters')?.namedChildren ?? [];
  return (
    parameters.length > 0 &&
    parameters.every((p) => {
      const type = p?.type === 'parameter_declaration' && !p.childForFieldName('declarator') ? p.childForFieldName('type') : null;
      return type?.type === 'type_identifier' && isValue(type.text);
    })
  );
}

/** A declarator without its `= value` or `(args)`. */
function withoutInitializer(declarator: SyntaxNode, constructed: ReadonlySet<number>): string {
  const initialized = declarator.type === 'init_declarator' || constructed.has(declarator.id);
  return initialized ? (declarator.childForFieldName('declarator')?.text ?? declarator.text) : declarator.text;
}

/** A constant or lambda again in a later cell, with internal linkage. */
function constantText(node: SyntaxNode, quals: Set<string>, lambda: boolean): string {
  return lambda && !quals.has('static') ? `static ${node.text}` : node.text;
}

/** `extern T a, *b;` for later cells; `auto x = e` becomes `extern std::decay_t<decltype(e)> x`. */
function externText(node: SyntaxNode, declarators: SyntaxNode[], constructed: ReadonlySet<number>): string {
  const type = node.childForFieldName('type');
  if (!type) return '';
  const ids = new Set(declarators.map((declarator) => declarator.id));
  const specifiers = (withType: boolean) =>
    textWithout(node, (c) => isStatic(c) || ids.has(c.id) || c.text === ';' || c.text === ',' || (!withType && c.id === type.id)).trim();
  const bare = (declarator: SyntaxNode) => withoutInitializer(declarator, constructed);
  const names = declarators.map(bare).join(', ');
  if (type.type === 'placeholder_type_specifier') {
    const each = (declarator: SyntaxNode) =>
      words('extern', specifiers(false), `std::decay_t<decltype(${initializer(declarator)})>`, bare(declarator)) + ';';
    return declarators.map(each).join('\n');
  }
  if (TYPE_SPECIFIERS.has(type.type) && type.childForFieldName('body')) {
    return `${type.text};\n` + words('extern', specifiers(false), type.childForFieldName('name')?.text ?? type.text, names) + ';';
  }
  return words('extern', specifiers(true), names) + ';';
}

/** Words joined by single spaces, empty ones left out. */
function words(...parts: string[]): string {
  return parts.filter((part) => part !== '').join(' ');
}

/** The expression a declarator is initialized with (`= e`, `(e)`, `{e}`). */
function initializer(declarator: SyntaxNode): string {
  const value = declarator.childForFieldName('value');
  if (!value) return '0';
  return value.type === 'argument_list' || value.type === 'initializer_list' ? value.text.slice(1, -1) : value.text;
}
