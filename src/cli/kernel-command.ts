// `icuda kernel --connection-file FILE`: wire the CUDA interpreter to the Jupyter runtime and
// the process's signals, then live until shutdown.
import { parseArgs } from 'node:util';
import { createLogger } from '../log.js';
import { readConnectionFile } from '../protocol/connection.js';
import { startKernel } from '../protocol/server.js';
import { createCudaInterpreter } from '../kernel/cuda-interpreter.js';

/** Runs the kernel until it is shut down; returns the exit code. */
export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { 'connection-file': { type: 'string', short: 'f' } } });
  const file = values['connection-file'];
  if (!file) throw new Error('kernel needs --connection-file FILE');
  const log = createLogger();
  const connection = await readConnectionFile(file);
  const interpreter = createCudaInterpreter({ log });
  const kernel = await startKernel({ connection, interpreter, log });
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
