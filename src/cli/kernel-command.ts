// `icuda kernel --connection-file FILE`: wire the CUDA interpreter to the Jupyter runtime and
// the process's signals, then live until shutdown. The first reply comes first: the sockets are
// bound and served before the interpreter is even loaded (kernel/deferred-interpreter.ts); it
// then starts its background work (the nvcc and GPU lookups, the reaper, the history), which
// warms up what the first cell needs.
import { deferredCudaInterpreter } from '../kernel/deferred-interpreter.js';
import { createLogger } from '../log.js';
import { connectionFileExposure, readConnectionFile } from '../protocol/connection.js';
import { startKernel } from '../protocol/server.js';
import type { Settings } from '../settings/settings.js';

/** Runs the kernel until it is shut down; returns the exit code. */
export async function run(file: string, settings: Settings): Promise<number> {
  const log = createLogger({ level: settings.logLevel ?? 'warn' });
  for (const problem of [...settings.warnings, ...settings.errors]) log.warn(problem);
  const connection = await readConnectionFile(file);
  const exposure = await connectionFileExposure(file);
  if (exposure) log.warn(exposure);
  let serve!: () => void;
  const served = new Promise<void>((resolve) => (serve = resolve));
  const interpreter = deferredCudaInterpreter({ settings, log, loadAfter: served });
  const kernel = await startKernel({ connection, interpreter, log });
  // After the reply's idle status has gone out too; the heap is tuned once the interpreter and
  // its background work have loaded what they need of Node.
  void kernel.served.then(() =>
    setImmediate(() => {
      keepInheritedStdioBlocking(); // before anything the interpreter loads touches them
      serve();
    }),
  );
  void interpreter.loaded.then(() => setImmediate(keepYoungGenerationSmall));
  // SIGINT interrupts the running cell and never kills the kernel (interrupt_mode "signal").
  process.on('SIGINT', () => kernel.interrupt());
  // SIGTERM (a manager giving up on a polite shutdown): clean up, then leave.
  process.once('SIGTERM', () => {
    kernel.terminate().catch((error: unknown) => log.error({ err: error }, 'terminate failed'));
  });
  await kernel.closed;
  log.info('kernel closed');
  return 0;
}

/**
 * Keeps V8's young generation at its first size (1 MiB semi-spaces) rather than letting it grow
 * to 16 MiB ones: an output flood makes a few strings per 64 KiB chunk, and a grown young
 * generation, with the Buffers it keeps alive until its next scavenge, took a 1 GB flood to
 * 180-215 MiB of RSS (BENCHMARKS.md). Set at run time, after the first reply: V8 reads the
 * growth factor each time it would grow, and a flag on the command line would void Node's code
 * cache for its own modules, ~10 ms of every start (set now, only what loads later pays).
 */
function keepYoungGenerationSmall(): void {
  void import('node:v8').then((v8) => v8.setFlagsFromString('--semi-space-growth-factor=1'));
}

/**
 * Node makes a piped stdout/stderr non-blocking as soon as anything touches
 * process.stdout (every `import process from 'node:process'` does; nothing before the first
 * reply does, and making the two streams costs ~2 ms, so this waits for it). The pipe is shared with
 * whoever started the kernel (a notebook server, nbclient, papermill), and for them a full
 * non-blocking pipe means writes that fail with EAGAIN and lost output. The kernel never
 * writes to these streams, so it puts them back the way it found them: blocking. (stdin is
 * left alone: a blocking read end would stall the event loop should Node ever read it.)
 */
function keepInheritedStdioBlocking(): void {
  for (const stream of [process.stdout, process.stderr]) {
    const handle = (stream as unknown as { _handle?: { setBlocking?: (on: boolean) => number } })._handle;
    handle?.setBlocking?.(true);
  }
}
