// The session's types: what a kernel passes in to make a Session and to run a cell, what
// %vars and %replay read back, and what one cell's run needs of its session.
import type { Logger } from 'pino';
import type { CacheSession } from '../engine/compile/cache/cached-compile.js';
import type { ErrorOutcome, OutputSink } from '../engine/outcome.js';
import type { Reaper } from '../engine/run/reaper.js';
import type { TimeLimit } from '../engine/run/runner.js';
import type { Scratch } from '../engine/scratch.js';
import type { ProgramLimits } from '../engine/run/limits.js';
import type { RunnerProcess } from './runner-process.js';
import type { UnitPlan } from './generate.js';
import type { SessionState } from './state.js';

export interface SessionOptions {
  nvcc: string;
  /** `nvcc --version`'s release ("13.0"). */
  nvccVersion: string;
  /** The environment nvcc and the runner start from. */
  env: NodeJS.ProcessEnv;
  reaper: Reaper;
  scratch: Scratch;
  /** The limits the runner runs under; compileSeconds also bounds nvcc. */
  limits: ProgramLimits;
  /** Where built runners are kept (the compile cache's directory). */
  runnerDir: string;
  /** The kernel's compile cache; without it every unit is compiled. */
  cache?: CacheSession;
  /** The GPU's architecture ("sm_90") when known. */
  arch?: string;
  /** Directories cells include from (the workspace): part of the cache key. */
  dirs?: string[];
  /** Where the runner runs (relative paths in cells); default: a scratch directory of its own. */
  cwd?: string;
  log: Logger;
}

/** One cell to run, with the request's context. */
export interface CellOptions {
  executionCount: number;
  /** Session flags, then the cell's own. */
  flags: string[];
  signal: AbortSignal;
  output: OutputSink;
  /** Asks the frontend for a line; absent when the request does not allow stdin. */
  input?: (prompt: string) => Promise<string>;
  /** %timeout or ICUDA_TIMEOUT: the whole run of the cell. */
  timeLimit?: TimeLimit;
  /** %check: every kernel launch checked and synchronized. */
  check?: boolean;
  nocache?: boolean;
  /** %time: say when the compile cache answered. */
  announceHit?: boolean;
}

/** A name the session defines, for %vars and completion. */
export interface SessionName {
  name: string;
  kind: string;
  cell: number;
  signature: string;
}

/** A cell that completed, kept for %replay. */
export interface JournalEntry {
  source: string;
  executionCount: number;
  flags: string[];
  check: boolean;
}

/** What a cell run needs of its session. */
export interface CellRunHost {
  readonly options: SessionOptions;
  state: SessionState;
  loaded: Map<string, UnitPlan>;
  nextId(): number;
  runner(output: OutputSink): Promise<RunnerProcess | ErrorOutcome>;
  lose(): void;
}
