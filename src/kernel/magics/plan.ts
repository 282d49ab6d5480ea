// What a cell asks for besides its source: the plan the magic lines parse into, and the
// magic table's entry type. Types only, so the magic modules can share them without a circle.
import type { BenchOptions } from '../bench/options.js';

/** A cell magic: the lines after it are saved (%%file) or compiled and shown (%%ptx, %%sass). */
export type CellMagic = { name: 'file'; file: string; append: boolean; body: string } | { name: 'ptx' | 'sass' };

/** A line magic that acts on its own, before (or instead of) compiling. */
export interface Command {
  name: 'workspace' | 'rm' | 'gpuinfo' | 'lsmagic' | 'help';
  args: string[];
}

export const SANITIZER_TOOLS = ['memcheck', 'racecheck', 'initcheck', 'synccheck'] as const;

/** Session magics that act on their own, before the cell's code: %reset, %replay, %vars. */
export type SessionCommand = 'reset' | 'replay' | 'vars';

/** How the compiled program runs instead of once. */
export type RunMode =
  | ({ kind: 'bench' } & BenchOptions)
  | { kind: 'profile'; tool: 'ncu' | 'nsys'; args: string[] }
  | { kind: 'sanitize'; tool: (typeof SANITIZER_TOOLS)[number] };

/** What session flags a cell asks for: set them, drop them, or show them. */
export type DefaultFlagsAction = { set: string[] } | 'reset' | 'show';

/** Everything a cell asks for besides its source. */
export interface Plan {
  flags: string[];
  args: string[];
  env: Record<string, string>;
  timeoutS?: number;
  keep: boolean;
  defaultFlags?: DefaultFlagsAction;
  /** %nocache: compile this cell without the compile cache. */
  nocache?: boolean;
  /** %cache: show the compile cache's size and hit rate. */
  showCache?: boolean;
  /** %limits: show the limits programs run under. */
  showLimits?: boolean;
  /** %output_limit: bytes of output shown before the rest goes to a file only (0: no limit). */
  outputLimit?: number;
  /** The cell with its magic lines blanked: same number of lines. */
  source: string;
  /** Whether anything but magics and whitespace is left to compile. */
  hasCode: boolean;
  /** %%file, %%ptx, %%sass: the cell is saved or shown instead of run. */
  cellMagic?: CellMagic;
  /** %sources: workspace files compiled and linked with the cell. */
  sources?: string[];
  /** Line magics that act on their own: %workspace, %rm, %gpuinfo, %lsmagic, %help. */
  commands?: Command[];
  /** %bench, %profile, %sanitize: how the program runs instead of once. */
  mode?: RunMode;
  /** %time: report compile and run time. */
  time?: boolean;
  /** %resources: print the per-kernel resource summary of the compile. */
  resources?: boolean;
  /** %check: every kernel launch checked (a program gets CHECK_FLAGS in `flags` too). */
  check?: boolean;
  /** %reset, %replay, %vars, in the order written. */
  session?: SessionCommand[];
}

export interface Magic {
  name: string;
  usage: string;
  help: string;
  /** A cell magic (`%%name`): the lines after it are its body. */
  cell?: boolean;
  /** Adds this magic to the plan; throws a plain Error whose message says what is wrong. */
  parse(args: string[], rest: string, plan: Plan): void;
}
