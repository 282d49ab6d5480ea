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
import type { InfoReply as RuntimeInfo, PointerInfo } from './runner-reply.js';
import type { UnitPlan } from './generate.js';
import type { SessionState } from './state.js';

export type { PointerInfo, RuntimeInfo };

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
  /** Hears the cell's phases: compiling (split, plan, nvcc), then running (load and run). */
  onPhase?: (phase: 'compiling' | 'running') => void;
}

/** A name the session defines, for %vars and completion. */
export interface SessionName {
  name: string;
  kind: string;
  cell: number;
  signature: string;
  /** A variable's size in bytes, as the runner found it (describe with `memory`). */
  size?: number;
  /** What a pointer variable points to, as the CUDA runtime tells (describe with `memory`). */
  pointer?: PointerInfo;
}

/** %bench on a session cell: what each repetition does besides the cell's statements. */
export interface BenchRequest {
  /** C++ expressions for the bytes moved and floating-point operations per repetition, evaluated in
   * the cell's context once it is loaded. */
  bytes?: string;
  flops?: string;
  /** Flush the L2 cache before each repetition (outside the timed region). */
  cold: boolean;
}

/** What one batch of repetitions measured, in milliseconds. */
export interface BatchTimes {
  /** GPU time per repetition (CUDA events); undefined when the events failed. */
  gpu: number[] | undefined;
  /** Host time per repetition (until the device was idle again). */
  host: number[];
  /** Why the GPU times are missing, or why --cold could not flush: each once. */
  notes: string[];
  /** The error that stopped the batch after the repetitions above. */
  error?: ErrorOutcome;
}

/** A session cell loaded for %bench: its repetitions run in batches. */
export interface SessionBench {
  /** --bytes and --flops as evaluated once the cell was loaded. */
  work: { bytes?: number; flops?: number };
  /** The CUDA runtime, driver and device as the runner sees them; undefined when it could not answer. */
  info: RuntimeInfo | undefined;
  /** Runs `count` repetitions of the cell's statements; with `show` the first one's output is shown.
   * An outcome when none could run; else the times, and the error that stopped the rest. */
  batch(count: number, show: boolean): Promise<BatchTimes | ErrorOutcome>;
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
