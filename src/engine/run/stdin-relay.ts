// Input for programs: stdin is a pipe from the kernel, and only when the program is blocked in
// read() on fd 0 (seen in /proc/<pid>/task/*/syscall, polled) does the kernel ask the frontend
// for a line (input_request) and write it to the pipe. When the frontend does not allow stdin,
// the pipe is closed at the first such read, so the program sees end-of-file, with one notice.
import { readdir, readFile } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import type { OutputSink } from '../outcome.js';
import type { PartialLine } from './partial-line.js';

const POLL_MS = 50;
/** read and readv, per architecture (x86-64 and arm64 Linux). */
const READ_SYSCALLS: Record<string, number[]> = { x64: [0, 19], arm64: [63, 65] };

export interface StdinRelayOptions {
  pid: number | undefined;
  stdin: Writable | null | undefined;
  /** Asks the frontend for a line; absent when the request does not allow stdin. */
  input?: (prompt: string) => Promise<string>;
  output: OutputSink;
  /** stdout's unfinished line: the prompt of the read (flushed first when there is no input). */
  pendingPrompt?: PartialLine;
}

/** Whether one /proc syscall line says: blocked in read on fd 0. */
export function isReadingStdin(syscallLine: string, arch: string = process.arch): boolean {
  const [nr, fd] = syscallLine.trim().split(/\s+/);
  return (READ_SYSCALLS[arch] ?? []).includes(Number(nr)) && fd !== undefined && Number.parseInt(fd, 16) === 0;
}

/** Whether any thread of the process is blocked reading its stdin; false when /proc can't tell. */
export async function blockedOnStdin(pid: number): Promise<boolean> {
  try {
    const tasks = await readdir(`/proc/${pid}/task`);
    const lines = await Promise.all(tasks.map((t) => readFile(`/proc/${pid}/task/${t}/syscall`, 'utf8').catch(() => '')));
    return lines.some((line) => isReadingStdin(line));
  } catch {
    return false;
  }
}

/** Starts relaying; stop() ends polling and closes the pipe. */
export function relayStdin(options: StdinRelayOptions): { stop(): void } {
  const { pid, stdin } = options;
  if (!stdin) return { stop() {} };
  stdin.on('error', () => undefined); // the program may exit with input unread: EPIPE is expected
  if (!pid || process.platform !== 'linux') {
    if (!options.input) stdin.end();
    return { stop: () => stdin.end() };
  }
  let busy = false;
  let stopped = false;
  let quietUntil = 0;
  /** One poll: when the program waits on stdin, answer it. */
  const poll = async () => {
    if (busy || stopped || Date.now() < quietUntil || !(await blockedOnStdin(pid)) || stopped) return;
    if (!options.input) {
      options.pendingPrompt?.flush();
      options.output.stream('stderr', 'icuda: the program reads stdin, but this frontend does not allow input: it got end-of-file\n');
      stop();
      return;
    }
    busy = true;
    try {
      const line = await options.input(options.pendingPrompt?.take() ?? '');
      if (!stopped) stdin.write(line + '\n');
      quietUntil = Date.now() + 2 * POLL_MS; // let the program take the line before looking again
    } catch {
      stop(); // interrupted, or input refused: end-of-file
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => {
    poll().catch(() => undefined);
  }, POLL_MS);
  /** Ends polling and closes the program's stdin. */
  const stop = () => {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    stdin.end();
  };
  return { stop };
}
