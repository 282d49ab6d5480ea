// One icuda kernel started for a headless run: connection file, child process, client; waits
// until iopub is subscribed (iopub_welcome) and the kernel answers kernel_info; executes code;
// shuts the kernel down (shutdown_request, then its process group).
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Message } from '../protocol/messages.js';
import { newConnectionInfo, writeConnectionFile } from './connection-file.js';
import { KernelClient } from './kernel-client.js';
import { startKernelProcess, type KernelProcess } from './kernel-process.js';

const STARTUP_MS = 60_000;
/** How long an interrupted cell may take to answer before the kernel counts as hung. */
const INTERRUPT_GRACE_MS = 15_000;

export interface Execution {
  reply: Message;
  timedOut: boolean;
  /** header dates of busy, execute_input, execute_reply and idle, as nbclient records them. */
  timing: Record<string, string>;
}

export class KernelSession {
  private constructor(
    readonly dir: string,
    readonly proc: KernelProcess,
    readonly client: KernelClient,
    readonly kernelInfo: Message,
  ) {}

  /** Starts a kernel and waits until it is ready; on failure the error carries the kernel's log. */
  static async start(env: NodeJS.ProcessEnv, tmp: string): Promise<KernelSession> {
    const dir = await mkdtemp(join(tmp, 'icuda-run-'));
    const info = await newConnectionInfo();
    const file = join(dir, 'kernel.json');
    await writeConnectionFile(file, info);
    const proc = startKernelProcess(file, dir, env);
    const client = new KernelClient(info);
    const welcomed = new Promise<void>((resolve) => {
      client.onUnrouted = (msg) => {
        if (msg.header.msg_type === 'iopub_welcome') resolve();
      };
    });
    client.connect();
    try {
      await raceExit(proc, withTimeout(welcomed, STARTUP_MS, 'the kernel did not welcome the iopub subscription'));
      const kernelInfo = await raceExit(proc, client.request('shell', 'kernel_info_request', {}, STARTUP_MS));
      return new KernelSession(dir, proc, client, kernelInfo);
    } catch (error) {
      const log = await proc.logTail();
      await client.close();
      await proc.stop(0);
      await rm(dir, { recursive: true, force: true });
      throw new Error(`${(error as Error).message}; kernel log:\n${log}`, { cause: error });
    }
  }

  /** Executes code; `onOutput` hears its iopub messages. A timeout interrupts the cell. */
  async execute(code: string, onOutput: (msg: Message) => void, timeoutMs?: number, stopOnError = true): Promise<Execution> {
    const timing: Record<string, string> = {};
    let reply: Message | undefined;
    let idle = false;
    let finish: () => void = () => undefined;
    const done = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const content = { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: stopOnError };
    const msgId = await this.client.send('shell', 'execute_request', content, (msg, channel) => {
      const type = msg.header.msg_type;
      if (channel === 'shell' && type === 'execute_reply') {
        reply = msg;
        timing['shell.execute_reply'] = msg.header.date;
      } else if (channel === 'iopub' && type === 'status') {
        const state = (msg.content as { execution_state?: string }).execution_state;
        if (state === 'busy') timing['iopub.status.busy'] = msg.header.date;
        if (state === 'idle') {
          idle = true;
          timing['iopub.status.idle'] = msg.header.date;
        }
      } else if (channel === 'iopub' && type === 'execute_input') timing['iopub.execute_input'] = msg.header.date;
      else if (channel === 'iopub') onOutput(msg);
      if (reply && idle) finish();
    });
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    let hungTimer: NodeJS.Timeout | undefined;
    let hung: (error: Error) => void = () => undefined;
    const hangs = new Promise<never>((_, reject) => {
      hung = reject;
    });
    if (timeoutMs !== undefined) {
      timer = setTimeout(() => {
        timedOut = true;
        this.proc.interrupt();
        hungTimer = setTimeout(
          () => hung(new Error(`the kernel did not answer within ${INTERRUPT_GRACE_MS / 1000} s of an interrupt`)),
          INTERRUPT_GRACE_MS,
        );
      }, timeoutMs);
    }
    try {
      await raceExit(this.proc, Promise.race([done, hangs]));
    } finally {
      clearTimeout(timer);
      clearTimeout(hungTimer);
      this.client.forget(msgId);
    }
    return { reply: reply!, timedOut, timing };
  }

  /** Asks kernel_info again (its language version is known once the kernel has looked for nvcc,
   * which it does after its first reply). */
  async askKernelInfo(): Promise<Message> {
    return raceExit(this.proc, this.client.request('shell', 'kernel_info_request', {}, STARTUP_MS));
  }

  /** Asks the kernel to shut down, then makes sure its whole process group is gone. */
  async shutdown(): Promise<void> {
    await this.client.request('control', 'shutdown_request', { restart: false }, 5000).catch(() => undefined);
    await this.proc.stop(5000);
    await this.client.close();
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** Rejects after `ms` with `what`. */
function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Settles like `promise`, but rejects if the kernel process exits first. */
function raceExit<T>(proc: KernelProcess, promise: Promise<T>): Promise<T> {
  const died = proc.exited.then((code) => {
    throw new Error(`the kernel exited (${code})`);
  });
  return Promise.race([promise, died]);
}
