// Where a cell runs: one interface, three homes (this machine, a GPU host, a Slurm cluster),
// chosen once per kernel from the environment its kernelspec sets.
import type { ExecuteOutcome, ExecutionContext } from '../../protocol/interpreter.js';
import type { Plan } from '../magics.js';

/** A cell ready to run: its plan, the session's flags merged in, and files to put beside it. */
export interface CellJob {
  plan: Plan;
  /** Session flags, then the cell's own. */
  flags: string[];
  executionCount: number;
  /** Files placed in the run directory (base names). */
  files?: { name: string; content: Buffer }[];
  /** The default time limit in seconds when the cell sets none (ICUDA_TIMEOUT). */
  defaultTimeoutS?: number;
}

/** The request's context: executors use its output, signal (interrupt, shutdown) and log. */
export type RunContext = ExecutionContext;

export interface Executor {
  /** For the banner: "on this machine", "on gpu-box:50051 (remote)". */
  readonly where: string;
  /** Whether cells need nvcc on this machine. */
  readonly needsLocalToolchain: boolean;
  /** Runs one cell; a user's failure (or an unreachable host) is a returned error, never a throw. */
  execute(job: CellJob, ctx: RunContext): Promise<ExecuteOutcome>;
}
