// The display channel: a pipe on the program's fd 3 (named by ICUDA_DISPLAY_FD) carrying frames
// (4-byte big-endian length, then JSON) from icuda.h and the prelude; each becomes an output.
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { MimeBundle, OutputSink } from '../outcome.js';
import { asCudaErrorReport, cudaNotice } from './cuda-notices.js';

export const DISPLAY_FD = 3;
/** A frame larger than this is refused (and the channel dropped): 64 MiB. */
const MAX_FRAME = 64 * 1024 * 1024;

/** Splits a byte stream into frames' JSON texts; a partial frame waits for its rest. */
export class FrameDecoder {
  private pending: Buffer = Buffer.alloc(0);

  /** The complete frames in `chunk` and what came before it; throws on an oversized frame. */
  push(chunk: Buffer): string[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const frames: string[] = [];
    while (this.pending.length >= 4) {
      const size = this.pending.readUInt32BE(0);
      if (size > MAX_FRAME) throw new Error(`display frame of ${size} bytes exceeds ${MAX_FRAME}`);
      if (this.pending.length < 4 + size) break;
      frames.push(this.pending.subarray(4, 4 + size).toString('utf8'));
      this.pending = this.pending.subarray(4 + size);
    }
    return frames;
  }
}

/** Turns one frame into outputs: display_data, or a CUDA error notice on stderr. */
export function handleFrame(text: string, output: OutputSink): void {
  let message: Record<string, unknown>;
  try {
    message = JSON.parse(text) as Record<string, unknown>;
  } catch {
    output.stream('stderr', 'icuda: the program sent a display message that is not valid JSON\n');
    return;
  }
  const report = asCudaErrorReport(message.cuda_error);
  if (report) {
    output.stream('stderr', cudaNotice(report));
    return;
  }
  if (typeof message.display !== 'object' || message.display === null) return;
  const bundle: MimeBundle = { ...(message.display as MimeBundle) };
  if (typeof message.json_text === 'string') {
    try {
      bundle['application/json'] = JSON.parse(message.json_text);
    } catch (error) {
      output.stream('stderr', `icuda: display_json got text that is not JSON (${(error as Error).message})\n`);
    }
  }
  output.display(bundle);
}

/** Reads the channel until it closes, each frame handled as soon as it is complete. The program
 * waits for its stdout to be read before it sends a frame, and for the frame to be read before
 * it goes on (icuda.h), so outputs keep the order the program made them in. */
export async function readDisplayChannel(stream: Readable | null | undefined, output: OutputSink): Promise<void> {
  if (!stream) return;
  const decoder = new FrameDecoder();
  stream.on('data', (chunk: Buffer | string) => {
    try {
      for (const frame of decoder.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)) handleFrame(frame, output);
    } catch (error) {
      output.stream('stderr', `icuda: display channel dropped: ${(error as Error).message}\n`);
      stream.destroy();
    }
  });
  // A pipe torn down by a kill may close early: what arrived is all there is.
  await finished(stream).catch(() => undefined);
}
