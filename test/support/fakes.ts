// Fakes for kernel tests: an output sink that records, a context around it, a reaper that only counts.
import type { ExecutionContext, OutputSink } from '../../src/protocol/interpreter.js';
import type { Reaper } from '../../src/engine/run/reaper.js';
import { silentLogger } from '../../src/log.js';

/** An OutputSink that keeps every stream chunk in order. */
export class RecordingSink implements OutputSink {
  readonly chunks: { name: 'stdout' | 'stderr'; text: string }[] = [];
  stream(name: 'stdout' | 'stderr', text: string): void {
    this.chunks.push({ name, text });
  }
  display(): void {}
  updateDisplay(): void {}
  clearOutput(): void {}
  async flush(): Promise<void> {}
  /** Everything written on one stream. */
  text(name: 'stdout' | 'stderr'): string {
    return this.chunks
      .filter((c) => c.name === name)
      .map((c) => c.text)
      .join('');
  }
}

/** An ExecutionContext for one request, with its sink and abort controller. */
export function fakeContext(executionCount = 1): { ctx: ExecutionContext; sink: RecordingSink; abort: AbortController } {
  const sink = new RecordingSink();
  const abort = new AbortController();
  const ctx: ExecutionContext = {
    executionCount,
    silent: false,
    storeHistory: true,
    allowStdin: false,
    signal: abort.signal,
    output: sink,
    input: async () => {
      throw new Error('no stdin in tests');
    },
    notify: () => {},
    log: silentLogger(),
  };
  return { ctx, sink, abort };
}

/** A Reaper that records which groups are live. */
export function fakeReaper(): Reaper & { live: Set<number>; seen: number[] } {
  const live = new Set<number>();
  const seen: number[] = [];
  return {
    live,
    seen,
    track(pgid) {
      live.add(pgid);
      seen.push(pgid);
    },
    untrack(pgid) {
      live.delete(pgid);
    },
    watchDir() {},
    killAll() {},
    close() {},
  };
}
