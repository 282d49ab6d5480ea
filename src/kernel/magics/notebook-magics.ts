// The plan parts of the notebook magics (%%file, %%ptx, %%sass, %sources, %bench, %profile,
// %sanitize and the stand-alone commands): their types and argument parsing, pure.
import { SANITIZER_TOOLS, type CellMagic, type Command, type Plan, type RunMode, type SessionCommand } from './plan.js';
import { checkFileName } from '../actions/workspace.js';
import { parseBenchOptions } from '../bench/options.js';

/** Rejects any argument. */
export function noArgs(args: string[]): void {
  if (args.length > 0) throw new Error('takes no arguments');
}

/** Zero or one argument. */
export function atMostOne(args: string[]): string[] {
  if (args.length > 1) throw new Error('takes at most one argument');
  return args;
}

/** `[-a] NAME` of %%file. */
export function parseFile(args: string[]): CellMagic {
  const append = args[0] === '-a';
  const rest = append ? args.slice(1) : args;
  if (rest.length !== 1) throw new Error('expected one file name');
  return { name: 'file', file: checkFileName(rest[0]), append, body: '' };
}

/** Workspace file names, each checked. */
export function fileNames(args: string[]): string[] {
  return args.map(checkFileName);
}

/** %sources names: workspace files that nvcc compiles (.cu only). */
export function sourceNames(args: string[]): string[] {
  return fileNames(args).map((name) => {
    if (!name.endsWith('.cu')) throw new Error(`${JSON.stringify(name)} is a header; %sources takes .cu files`);
    return name;
  });
}

/** Records a stand-alone command. */
export function addCommand(plan: Plan, name: Command['name'], args: string[]): void {
  (plan.commands ??= []).push({ name, args });
}

/** Records a session command (%reset, %replay, %vars). */
export function addSessionCommand(plan: Plan, name: SessionCommand): void {
  (plan.session ??= []).push(name);
}

/** Sets the run mode; only one of %bench, %profile, %sanitize per cell. */
export function setMode(plan: Plan, mode: RunMode): void {
  if (plan.mode && plan.mode.kind !== mode.kind) throw new Error(`cannot combine with %${plan.mode.kind}`);
  plan.mode = mode;
}

/** %bench's arguments (bench/options.ts). */
export function parseBench(args: string[]): RunMode {
  return { kind: 'bench', ...parseBenchOptions(args) };
}

/** `[ncu|nsys] [ARGS…]`: the profiler (default ncu) and its extra arguments. */
export function parseProfile(args: string[]): RunMode {
  const tool = args[0] === 'nsys' || args[0] === 'ncu' ? args[0] : 'ncu';
  return { kind: 'profile', tool, args: args[0] === tool ? args.slice(1) : args };
}

/** `[memcheck|racecheck|initcheck|synccheck]`, default memcheck. */
export function parseSanitize(args: string[]): RunMode {
  const tool = atMostOne(args)[0] ?? 'memcheck';
  if (!(SANITIZER_TOOLS as readonly string[]).includes(tool))
    throw new Error(`unknown tool ${JSON.stringify(tool)}; one of ${SANITIZER_TOOLS.join(', ')}`);
  return { kind: 'sanitize', tool: tool as (typeof SANITIZER_TOOLS)[number] };
}

/** A cell magic's body: %%file keeps the following lines verbatim and leaves nothing to compile;
 * %%ptx and %%sass compile them as the cell (line numbers kept). */
export function takeBody(cell: CellMagic, lines: string[], at: number): void {
  if (cell.name !== 'file') return;
  cell.body = lines.slice(at + 1).join('\n');
  lines.length = at + 1;
}
