// A per-cell display limit: the first `limit` bytes of a program's output go to the notebook,
// the rest only to a file that keeps everything (so nothing is lost), and the notebook is told
// how much there was and where it is.
import { createWriteStream, type WriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import type { OutputSink } from '../outcome.js';
import { formatBytes } from '../../units.js';

/** An OutputSink that stops showing output past its limit; finish() closes the file and reports. */
export interface LimitedOutput extends OutputSink {
  /** Ends the saved file (if any) and tells the notebook where it is. */
  finish(): Promise<void>;
}

type Name = 'stdout' | 'stderr';

/** Wraps `sink`; past `limit` bytes (0: none) everything is written to `path` instead. */
export function limitOutput(sink: OutputSink, limit: number, path: string): LimitedOutput {
  const kept: string[] = [];
  let total = 0;
  let file: WriteStream | undefined;

  /** Opens the file with everything shown so far, and says so once. */
  const spill = (): WriteStream => {
    const out = createWriteStream(path);
    out.on('error', () => undefined); // reported by finish()
    for (const text of kept.splice(0)) out.write(text);
    sink.stream('stderr', `\n[icuda] output passed ${formatBytes(limit)}: the rest is not shown; all of it is saved to ${path}\n`);
    return out;
  };

  /** Shows a chunk while under the limit (its part that fits), and keeps or saves it. */
  const stream = (name: Name, text: string): void => {
    if (limit === 0) return sink.stream(name, text);
    const bytes = Buffer.byteLength(text, 'utf8');
    if (file) {
      total += bytes;
      file.write(text);
      return;
    }
    if (total + bytes <= limit) {
      total += bytes;
      kept.push(text);
      return sink.stream(name, text);
    }
    const fits = Buffer.from(text, 'utf8')
      .subarray(0, limit - total)
      .toString('utf8')
      .replace(/\uFFFD$/, '');
    if (fits) sink.stream(name, fits);
    kept.push(text);
    total += bytes;
    file = spill();
  };

  return {
    stream,
    display: (data, metadata, id) => sink.display(data, metadata, id),
    updateDisplay: (id, data, metadata) => sink.updateDisplay(id, data, metadata),
    clearOutput: (wait) => sink.clearOutput(wait),
    queuedBytes: () => (sink.queuedBytes?.() ?? 0) + (file?.writableLength ?? 0),
    async flush() {
      await sink.flush();
      if (file?.writableNeedDrain)
        await new Promise<void>((resolve) => file!.once('drain', () => resolve()).once('error', () => resolve()));
    },
    async finish() {
      if (!file) return;
      file.end();
      const failed = await finished(file).then(
        () => undefined,
        (error: Error) => error.message,
      );
      sink.stream(
        'stderr',
        failed
          ? `[icuda] ${formatBytes(total)} of output; saving it to ${path} failed: ${failed}\n`
          : `[icuda] ${formatBytes(total)} of output in all; the first ${formatBytes(limit)} shown; complete output: ${path} (%output_limit SIZE to change, 0 for none)\n`,
      );
    },
  };
}
