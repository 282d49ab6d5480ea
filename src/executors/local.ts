// The default executor: compile and run on this machine. The kernel hands in its own build
// (which adds the notebook's actions around the engine's compile and run) and its session cells:
// one Session, made on the first session cell (once nvcc is found), ended at shutdown.
import { interrupted } from '../engine/errors.js';
import type { ErrorOutcome, RunOutcome } from '../engine/outcome.js';
import type { Session } from '../session/session.js';
import { NOTHING_TO_REPLAY } from '../session/session-outcomes.js';
import type { CellJob, Executor, RunContext, SessionRunner } from './executor.js';

/** Wraps a local build (scratch dir, nvcc, runner) and the kernel's session cells as an Executor. */
export function createLocalExecutor<J extends CellJob, C extends RunContext>(
  build: (job: J, ctx: C) => Promise<RunOutcome>,
  sessions: SessionRunner | string,
): Executor<J, C> {
  return { where: 'on this machine', needsLocalToolchain: true, execute: build, sessions };
}

/** Session cells on this machine: the Session is made by `make` when a cell first needs it (a
 * failure, such as nvcc not found, is that cell's error and the next cell tries again). */
export function localSessions(make: () => Promise<Session | ErrorOutcome>): SessionRunner {
  let made: Promise<Session | ErrorOutcome> | undefined;
  let closed = false;
  /** The session, made now if need be; an outcome when it cannot be. */
  const session = async (): Promise<Session | ErrorOutcome> => {
    if (closed) return interrupted();
    const found = await (made ??= make());
    if ('status' in found) made = undefined;
    return found;
  };
  /** The session if one was made, without making one. */
  const existing = async (): Promise<Session | undefined> => {
    const found = await made;
    return found && !('status' in found) ? found : undefined;
  };
  return {
    async runCell(source, options) {
      const s = await session();
      return 'status' in s ? s : s.runCell(source, options);
    },
    async replay(options) {
      const s = await existing();
      if (s) return s.replay(options);
      options.output.stream('stdout', NOTHING_TO_REPLAY);
      return { status: 'ok' };
    },
    async reset() {
      await (await existing())?.reset();
    },
    async describe(options) {
      const s = await existing();
      if (!s) return [];
      return options?.memory ? s.describeMemory(options.memory.signal, options.memory.output) : s.describe();
    },
    async close() {
      closed = true;
      await (await existing())?.close();
    },
    async bench(source, options, request, drive) {
      const s = await session();
      return 'status' in s ? s : s.bench(source, options, request, drive);
    },
    async unitSource(source, options) {
      const s = await session();
      return 'status' in s ? s : s.unitSource(source, options);
    },
  };
}
