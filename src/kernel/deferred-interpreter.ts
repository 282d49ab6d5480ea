// The CUDA interpreter, loaded after the kernel's first reply. That reply needs none of it (its
// banner is the one a kernel still looking for nvcc and the GPU gives), while the interpreter and
// all below it (the engine, the magics, session cells: four fifths of the kernel's code, with
// Node modules of their own) took ~7 ms of every start. It is loaded once the first reply has
// gone out (`loadAfter`), or by the first request that needs it; it then starts its background
// work (the nvcc and GPU lookups, the reaper, the history) at once.
import type { Logger } from 'pino';
import { whereCellsRun } from '../executors/where.js';
import type { Interpreter } from '../protocol/interpreter.js';
import type { Settings } from '../settings/settings.js';
import { cudaKernelInfo, GPU_UNKNOWN, STATUS_TARGET } from './kernel-info.js';

export interface DeferredOptions {
  settings: Settings;
  log: Logger;
  /** The interpreter loads when this settles, or at the first request that needs it. */
  loadAfter: Promise<unknown>;
}

/** The interpreter, forwarding to the CUDA interpreter once it is loaded; `loaded` settles then. */
export function deferredCudaInterpreter({ settings, log, loadAfter }: DeferredOptions): Interpreter & { loaded: Promise<void> } {
  let real: Interpreter | undefined;
  let loading: Promise<Interpreter> | undefined;
  let markLoaded!: () => void;
  const loaded = new Promise<void>((resolve) => (markLoaded = resolve));
  const load = (): Promise<Interpreter> =>
    (loading ??= import('./cuda-interpreter.js').then((m) => {
      real = m.createCudaInterpreter({ settings, log });
      markLoaded();
      return real;
    }));
  // A failure is logged here, and each request that needs the interpreter answers with it.
  loadAfter.then(load, load).catch((error: unknown) => log.error({ err: error }, 'the CUDA interpreter failed to load'));
  return {
    commTargets: [STATUS_TARGET],
    loaded,
    kernelInfo: () => real?.kernelInfo() ?? cudaKernelInfo('', whereCellsRun(settings), GPU_UNKNOWN),
    execute: async (code, ctx) => (await load()).execute(code, ctx),
    complete: async (code, cursorPos) => (await load()).complete(code, cursorPos),
    inspect: async (code, cursorPos, detailLevel) => (await load()).inspect(code, cursorPos, detailLevel),
    isComplete: async (code) => (await load()).isComplete(code),
    history: async (query) => (await load()).history(query),
    // Nothing was started before it loaded: nothing to stop.
    shutdown: async (restart) => (loading ? (await loading).shutdown(restart) : undefined),
  };
}
