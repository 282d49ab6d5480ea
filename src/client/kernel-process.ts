// Starts `icuda kernel` as a child in a process group of its own (so stopping it reaches every
// process a cell left), keeps its log in a file, and stops it: politely first, then the group.
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { kernelCommand } from '../package-info.js';

export interface KernelProcess {
  child: ChildProcess;
  /** The kernel's stderr (its pino log) goes here. */
  logFile: string;
  /** Settles with the exit code (or signal name) when the process ends. */
  exited: Promise<number | string>;
  /** Sends SIGINT to the kernel (its kernelspec's interrupt_mode is "signal"). */
  interrupt(): void;
  /** Waits up to `graceMs` for the kernel to exit by itself, then kills its whole group. */
  stop(graceMs: number): Promise<void>;
  /** The last lines of the kernel's log. */
  logTail(lines?: number): Promise<string>;
}

/** Spawns the kernel on a connection file; `dir` receives its log. */
export function startKernelProcess(connectionFile: string, dir: string, env: NodeJS.ProcessEnv): KernelProcess {
  const logFile = join(dir, 'kernel.log');
  const fd = openSync(logFile, 'a');
  const [node, ...args] = kernelCommand(connectionFile);
  const child = spawn(node, args, {
    detached: true,
    stdio: ['ignore', fd, fd],
    env: { ICUDA_LOG_LEVEL: 'info', ...env },
  });
  closeSync(fd);
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
    child.once('error', () => resolve('spawn-failed'));
  });
  let done = false;
  void exited.then(() => {
    done = true;
  });
  // Signals every process of the kernel's group (the group outlives the kernel if a cell's
  // process escaped its own cleanup, so the final sweep runs even after the kernel exited).
  const signalGroup = (signal: NodeJS.Signals): void => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      /* already gone */
    }
  };
  return {
    child,
    logFile,
    exited,
    interrupt: () => {
      if (!done && child.pid !== undefined) child.kill('SIGINT');
    },
    stop: async (graceMs) => {
      const timer = new Promise((resolve) => setTimeout(resolve, graceMs).unref());
      if (await Promise.race([exited.then(() => true), timer.then(() => false)])) {
        signalGroup('SIGKILL');
        return;
      }
      signalGroup('SIGTERM');
      const killer = setTimeout(() => signalGroup('SIGKILL'), 2000);
      await exited;
      clearTimeout(killer);
    },
    logTail: async (lines = 20) => {
      const text = await readFile(logFile, 'utf8').catch(() => '');
      return text.trimEnd().split('\n').slice(-lines).join('\n');
    },
  };
}
