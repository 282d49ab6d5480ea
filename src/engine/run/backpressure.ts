// Back-pressure from the notebook to a program: while more than HIGH_WATER bytes of output wait
// to be sent, stop reading the program's pipe; the pipe fills and the program blocks in write()
// instead of the kernel buffering without bound.
import type { Readable } from 'node:stream';
import type { OutputSink } from '../outcome.js';

export const HIGH_WATER = 1024 * 1024;

/** Pauses `stream` whenever `output` reports a backlog over `high` bytes, until it drains. */
export function holdBack(stream: Readable, output: OutputSink, high = HIGH_WATER): void {
  const queued = output.queuedBytes?.bind(output);
  if (!queued) return;
  let waiting = false;
  stream.on('data', () => {
    if (waiting || queued() < high) return;
    waiting = true;
    stream.pause();
    void output.flush().finally(() => {
      waiting = false;
      stream.resume();
    });
  });
}
