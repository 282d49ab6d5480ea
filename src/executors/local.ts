// The default executor: compile and run on this machine. The kernel hands in its own build
// (which adds the notebook's actions around the engine's compile and run) and its session cells.
import type { RunOutcome } from '../engine/outcome.js';
import type { CellJob, Executor, RunContext, SessionRunner } from './executor.js';

/** Wraps a local build (scratch dir, nvcc, runner) and the kernel's session cells as an Executor. */
export function createLocalExecutor<J extends CellJob, C extends RunContext>(
  build: (job: J, ctx: C) => Promise<RunOutcome>,
  sessions: SessionRunner | string,
): Executor<J, C> {
  return { where: 'on this machine', needsLocalToolchain: true, execute: build, sessions };
}
