// The program's stdio beyond stdout and stderr: stdin relayed from the frontend, and the display
// channel on fd 3. The runner spawns with PROGRAM_STDIO and channelEnv(), then attaches these.
import type { Readable, Writable } from 'node:stream';
import type { OutputSink } from '../outcome.js';
import { DISPLAY_FD, readDisplayChannel } from './display-channel.js';
import type { PartialLine } from './partial-line.js';
import { relayStdin } from './stdin-relay.js';

/** stdin, stdout, stderr and the display channel: all pipes. */
export const PROGRAM_STDIO = ['pipe', 'pipe', 'pipe', 'pipe'] as const;

/** Tells icuda.h and the prelude where the display channel is. */
export function channelEnv(): Record<string, string> {
  return { ICUDA_DISPLAY_FD: String(DISPLAY_FD) };
}

export interface ChannelOptions {
  output: OutputSink;
  input?: (prompt: string) => Promise<string>;
  /** stdout's unfinished line, claimed as the prompt of a read. */
  pendingPrompt?: PartialLine;
}

/** Attaches stdin relaying and the display channel; `done` resolves once the channel closed, `stop` ends input. */
export function attachChannels(
  child: { pid?: number; stdin: Writable | null; stdio: readonly unknown[] },
  options: ChannelOptions,
): { done: Promise<void>; stop(): void } {
  const relay = relayStdin({
    pid: child.pid,
    stdin: child.stdin,
    input: options.input,
    output: options.output,
    pendingPrompt: options.pendingPrompt,
  });
  const done = readDisplayChannel(child.stdio[DISPLAY_FD] as Readable | undefined, options.output);
  return { done, stop: () => relay.stop() };
}
