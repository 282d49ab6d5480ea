// What the splitter makes of a session cell: chunks of source in the order written, each saying
// where it goes (file scope, the cell's statement function, or nowhere but the preamble of every
// later cell) and what it defines for the cells after it.

/** What a name defined by a cell is; it decides how later cells see it. */
export type DefKind =
  | 'variable' // host variable: defined once, later cells get an extern declaration
  | 'constant' // const/constexpr variable or enumerator: later cells get its source again
  | 'function' // host function: later cells get its prototype
  | 'kernel' // __global__ function: later cells get its prototype and launch it through its host stub
  | 'device-function' // __device__, inline or constexpr function: later cells get its source again
  | 'template' // function or class template: later cells get its source again
  | 'type' // struct, class, union, enum, typedef, alias: later cells get its source again
  | 'device-variable'; // __device__/__constant__/__managed__ variable: its cell's device code only

/** A name a cell defines. */
export interface Definition {
  name: string;
  /** The namespaces it is in, outermost first ([] at file scope). */
  path: string[];
  kind: DefKind;
  /** Its line in the cell (1-based). */
  line: number;
  /** One line to show it by (%vars): the declaration without its body or initializer. */
  signature: string;
}

/**
 * Where a chunk goes:
 * - global: preprocessor lines, using-directives, prototypes of outside functions: file scope,
 *   before everything, in this cell and in every later one, as written;
 * - decl: a definition: file scope inside the cell's own (versioned) namespace;
 * - proto: a prototype or forward declaration: kept when the cell defines the name, dropped when
 *   an earlier cell did (it would hide that definition), global otherwise;
 * - member: an out-of-class definition (`int P::get() {...}`), outside any namespace of ours
 *   unless the class is the cell's own;
 * - stmt: a statement: runs in order when the cell runs, in a function generated for the cell.
 */
export type ChunkKind = 'global' | 'decl' | 'proto' | 'member' | 'stmt';

/** A piece of the cell, in source order. */
export interface Chunk {
  kind: ChunkKind;
  /** The user's namespaces around it (decl, proto). */
  path: string[];
  /** First line in the cell (1-based). */
  line: number;
  /** The text compiled in this cell. */
  text: string;
  /** The text later cells compile instead (decl), when they see it at all. */
  carried?: string;
  defs: Definition[];
  /** Identifiers the carried text uses: the earlier definitions it needs. */
  refs: string[];
  /** proto: the name declared; member: the class or namespace it belongs to. */
  target?: string;
  /** A #define's macro name: later cells #undef it before defining it again. */
  macro?: string;
  /** The chunk defines a variable (its initializer runs when the object is loaded). */
  variable?: boolean;
}

/** A parsed session cell. */
export interface CellSyntax {
  chunks: Chunk[];
  /** A top-level main(): the cell is a whole program, not a session cell. */
  hasMain: boolean;
  /** Every identifier the cell uses. */
  refs: Set<string>;
  /** Every name the cell declares anywhere (locals and parameters too). */
  declared: Set<string>;
  /** The cell calls the CUDA runtime or launches a kernel. */
  usesCuda: boolean;
}

/** "q::w" for a name in namespace q. */
export function qualified(path: readonly string[], name: string): string {
  return [...path, name].join('::');
}
