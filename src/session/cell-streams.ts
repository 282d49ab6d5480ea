// Attributes the runner's output to the cell that printed it: stdout and stderr go to the running
// cell's sink up to its end markers, and the cell is complete once its reply and both markers
// are in. Output between cells (a background thread) is kept for the next cell.
import type { Readable } from 'node:stream';
import type { OutputSink } from '../engine/outcome.js';
import { HIGH_WATER } from '../engine/run/backpressure.js';
import { MarkerScanner } from './end-marker.js';
import type { RunnerReply } from './runner-reply.js';

type Name = 'stdout' | 'stderr';
/** At most this much output between cells is kept for the next one. */
const BETWEEN_LIMIT = 64 * 1024;

export class CellStreams {
  readonly #scanners: Record<Name, MarkerScanner> = { stdout: new MarkerScanner(), stderr: new MarkerScanner() };
  #output: OutputSink | undefined;
  #nonce: string | undefined;
  #ended: Record<Name, boolean> = { stdout: false, stderr: false };
  #reply: RunnerReply | undefined;
  #done: ((reply: RunnerReply) => void) | undefined;
  #between: { name: Name; text: string }[] = [];
  #betweenBytes = 0;

  /** A run of `nonce` starts: its output goes to `output`, `done` hears its completion. */
  start(nonce: string, output: OutputSink, done: (reply: RunnerReply) => void): void {
    this.#nonce = nonce;
    this.#output = output;
    this.#done = done;
    this.#ended = { stdout: false, stderr: false };
    this.#reply = undefined;
    for (const { name, text } of this.#between.splice(0)) output.stream(name, text);
    this.#betweenBytes = 0;
    for (const name of ['stdout', 'stderr'] as const) {
      this.#scanners[name].expect(nonce);
      this.text(name, '');
    }
  }

  /** Decoded text from one stream. */
  text(name: Name, text: string, stream?: Readable): void {
    const { text: shown, ended } = this.#scanners[name].push(text);
    if (shown) this.#emit(name, shown, stream);
    if (ended) {
      this.#ended[name] = true;
      this.#check();
    }
  }

  /** The runner's reply to a run. */
  reply(reply: RunnerReply): void {
    if (reply.nonce !== this.#nonce) return;
    this.#reply = reply;
    this.#check();
  }

  /** The run is over (completed, or the runner ended: then what was held back is shown too). */
  finish(): void {
    if (this.#output && !this.#reply) {
      for (const name of ['stdout', 'stderr'] as const) {
        const held = this.#scanners[name].drain();
        if (held) this.#output.stream(name, held);
      }
    }
    this.#output = undefined;
    this.#nonce = undefined;
    this.#done = undefined;
  }

  /** Where display frames go now: the running cell, else nowhere. */
  sink(): OutputSink {
    return this.#output ?? DISCARD;
  }

  /** Passes text on; a backlog at the notebook pauses the pipe until it drains. */
  #emit(name: Name, text: string, stream?: Readable): void {
    const output = this.#output;
    if (!output) {
      if (this.#betweenBytes < BETWEEN_LIMIT) this.#between.push({ name, text });
      this.#betweenBytes += text.length;
      return;
    }
    output.stream(name, text);
    if (stream && !stream.isPaused() && (output.queuedBytes?.() ?? 0) > HIGH_WATER) {
      stream.pause();
      void output.flush().finally(() => stream.resume());
    }
  }

  /** Completes the run once the reply and both markers are in. */
  #check(): void {
    if (this.#reply && this.#ended.stdout && this.#ended.stderr) this.#done?.(this.#reply);
  }
}

/** A sink for display output that arrives while no cell runs. */
const DISCARD: OutputSink = {
  stream() {},
  display() {},
  updateDisplay() {},
  clearOutput() {},
  async flush() {},
};
