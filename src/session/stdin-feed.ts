// Input for a session cell: the runner's stdin is one pipe for its whole life, so unlike a whole
// program's it is never closed; while a cell that may read input runs, the kernel watches for
// the runner blocked in read() on fd 0 and answers with a line from the frontend. A cell that
// may not read input gets /dev/null as its stdin from the runner itself.
import type { Writable } from 'node:stream';
import { blockedOnStdin } from '../engine/run/stdin-relay.js';

const POLL_MS = 50;

/** Feeds lines to `stdin` whenever process `pid` waits for one; stop() ends watching. */
export function feedStdin(pid: number, stdin: Writable, input: (prompt: string) => Promise<string>): { stop(): void } {
  let stopped = false;
  let busy = false;
  let quietUntil = 0;
  /** One look: when the runner waits on stdin, ask the frontend and write its answer. */
  const poll = async () => {
    if (busy || stopped || Date.now() < quietUntil || !(await blockedOnStdin(pid)) || stopped) return;
    busy = true;
    try {
      const line = await input('');
      if (!stopped) stdin.write(line + '\n');
      quietUntil = Date.now() + 2 * POLL_MS; // let the cell take the line before looking again
    } catch {
      stopped = true; // interrupted, or input refused: the cell's read waits until it is stopped
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => {
    poll().catch(() => undefined);
  }, POLL_MS);
  return {
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
