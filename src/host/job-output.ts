// A job's output on the host (a program's or a session cell's): each stream chunk and display an
// event to the client, up to the host's byte limit; past it nothing more goes out and the job is
// stopped through `tooMuch`.
import { errorOutcome } from '../engine/errors.js';
import type { ErrorOutcome, OutputSink } from '../engine/outcome.js';
import type { JobEvent } from './calls.js';

export interface LimitedSink extends OutputSink {
  /** Aborted once the output passed the limit. */
  tooMuch: AbortController;
  /** Bytes of stream output so far. */
  bytes(): number;
}

/** An OutputSink sending events; past `maxBytes` it stops forwarding and aborts `tooMuch`. */
export function limitedSink(maxBytes: number, emit: (event: JobEvent) => void): LimitedSink {
  const tooMuch = new AbortController();
  let bytes = 0;
  return {
    tooMuch,
    bytes: () => bytes,
    stream(name, text) {
      if (tooMuch.signal.aborted) return;
      bytes += Buffer.byteLength(text);
      if (bytes > maxBytes) {
        tooMuch.abort();
        return;
      }
      emit({ kind: name === 'stdout' ? 'EVENT_KIND_STDOUT' : 'EVENT_KIND_STDERR', output: text, is_error: name === 'stderr' });
    },
    display(data, metadata, displayId) {
      emit({ kind: 'EVENT_KIND_DISPLAY_DATA', display_json: JSON.stringify({ data, metadata: metadata ?? {}, display_id: displayId }) });
    },
    updateDisplay(displayId, data, metadata) {
      emit({
        kind: 'EVENT_KIND_DISPLAY_DATA',
        display_json: JSON.stringify({ data, metadata: metadata ?? {}, display_id: displayId, update: true }),
      });
    },
    clearOutput() {
      /* nothing to clear on the host's side */
    },
    async flush() {
      /* events are written as they come */
    },
  };
}

/** The error of a job stopped for its output: `what` printed too much and `fate` happened to it. */
export function outputLimitError(max: number, what = 'the program', fate = 'was killed'): ErrorOutcome {
  return errorOutcome('OutputLimitError', `${what} printed more than the host's ${max} byte limit and ${fate}`);
}
