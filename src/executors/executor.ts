// Where a cell runs: one interface, three homes (this machine, a GPU host, a Slurm cluster),
// chosen once per kernel from the settings its kernelspec sets. Executors see a plain job and
// the engine's types; they know nothing of Jupyter or of the magics that made the job.
import type { Logger } from 'pino';
import type { ErrorOutcome, OutputSink, RunOutcome } from '../engine/outcome.js';
import type { BenchRequest, CellOptions, SessionBench, SessionName } from '../session/session-types.js';

/** A whole-program cell ready to run. */
export interface CellJob {
  /** The cell's source, magic lines blanked (same line numbers as the user's cell). */
  source: string;
  /** Session flags, then the cell's own. */
  flags: string[];
  /** The program's arguments and extra environment. */
  args: string[];
  env: Record<string, string>;
  executionCount: number;
  /** Files placed in the run directory (base names). */
  files?: { name: string; content: Buffer }[];
  /** The cell's own time limit (%timeout), in seconds. */
  timeoutS?: number;
  /** The default time limit in seconds when the cell sets none (ICUDA_TIMEOUT). */
  defaultTimeoutS?: number;
}

/** What an executor may use of the request that started the job. */
export interface RunContext {
  output: OutputSink;
  /** Aborted on interrupt and shutdown. */
  signal: AbortSignal;
  log: Logger;
}

/** Session cells where this executor runs them: one long-lived runner per kernel (src/session). */
export interface SessionRunner {
  /** Compiles and runs one session cell; what it defines stays for later cells. */
  runCell(source: string, options: CellOptions): Promise<RunOutcome>;
  /** %replay: runs again, in order, the cells that completed since the session began. */
  replay(options: Omit<CellOptions, 'executionCount' | 'flags' | 'check'>): Promise<RunOutcome>;
  /** %reset: a fresh session (the runner and everything it started end). */
  reset(): Promise<void>;
  /** The names the session defines (for %vars and completion); with `memory`, also what the runner
   * finds of its variables (sizes, where pointers point). */
  describe(options?: { memory?: { signal: AbortSignal; output: OutputSink } }): Promise<SessionName[]>;
  /** Ends the runner (kernel shutdown and restart). */
  close(): Promise<void>;
  /** %bench: compiles and loads the cell once, then `drive` times its statements in batches (absent: not offered here). */
  bench?(
    source: string,
    options: CellOptions,
    request: BenchRequest,
    drive: (bench: SessionBench) => Promise<RunOutcome>,
  ): Promise<RunOutcome>;
  /** %%ptx, %%sass, %resources: the source nvcc compiles for the cell now (absent: not offered here). */
  unitSource?(source: string, options: Pick<CellOptions, 'executionCount' | 'flags'>): Promise<string | ErrorOutcome>;
}

export interface Executor<J extends CellJob = CellJob, C extends RunContext = RunContext> {
  /** For the banner: "on this machine", "on gpu-box:50051 (remote)". */
  readonly where: string;
  /** Whether cells need nvcc on this machine. */
  readonly needsLocalToolchain: boolean;
  /** Runs one cell; a user's failure (or an unreachable host) is a returned error, never a throw. */
  execute(job: J, ctx: C): Promise<RunOutcome>;
  /** Session cells here, or a sentence saying why this executor has none (Slurm, for now). */
  readonly sessions: SessionRunner | string;
}
