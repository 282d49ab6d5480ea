// The default executor: the interpreter's own compile-then-run path on this machine.
import type { ExecuteOutcome } from '../../protocol/interpreter.js';
import type { CellJob, Executor, RunContext } from './executor.js';

/** Wraps the interpreter's local build (scratch dir, nvcc, runner) as an Executor. */
export function createLocalExecutor(build: (job: CellJob, ctx: RunContext) => Promise<ExecuteOutcome>): Executor {
  return { where: 'on this machine', needsLocalToolchain: true, execute: build };
}
