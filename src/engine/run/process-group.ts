// Supervises a child started in its own process group (detached): registers the group with the
// reaper, SIGKILLs the whole group on abort or timeout, and whatever it left behind at exit.
import type { ChildProcess } from 'node:child_process';
import { killGroup, type Reaper } from './reaper.js';

/** How a supervised child ended. */
export type GroupEnd =
  | { cause: 'exit'; exitCode: number | null; signal: NodeJS.Signals | null }
  | { cause: 'timeout' }
  | { cause: 'abort' }
  | { cause: 'spawn-failed' };

export interface SuperviseOptions {
  signal: AbortSignal;
  reaper: Reaper;
  /** Kill the group after this many milliseconds. */
  timeoutMs?: number;
}

/** Waits until the child exits; the group is dead and untracked when this resolves. */
export async function superviseGroup(child: ChildProcess, options: SuperviseOptions): Promise<GroupEnd> {
  const pgid = child.pid;
  if (pgid === undefined) return { cause: 'spawn-failed' };
  options.reaper.track(pgid);
  let cause: 'timeout' | 'abort' | undefined;
  const stop = (why: 'timeout' | 'abort') => {
    cause ??= why;
    killGroup(pgid);
  };
  const onAbort = () => stop('abort');
  const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => stop('timeout'), options.timeoutMs);
  options.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const exited = waitExit(child);
    if (options.signal.aborted) onAbort();
    const { exitCode, signal } = await exited;
    return cause === undefined ? { cause: 'exit', exitCode, signal } : { cause };
  } finally {
    clearTimeout(timer);
    options.signal.removeEventListener('abort', onAbort);
    killGroup(pgid); // grandchildren the program left running
    options.reaper.untrack(pgid);
  }
}

/** The child's exit code and signal, once it has exited (its pipes may still be open). */
function waitExit(child: ChildProcess): Promise<{ exitCode: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ exitCode: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.once('exit', (exitCode, signal) => resolve({ exitCode, signal })));
}
