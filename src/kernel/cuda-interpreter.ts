// The CUDA interpreter behind the Interpreter seam: cell -> plan (magics) -> where it runs
// (this machine, a GPU host, Slurm) -> outcome. A cell with main() is a whole program (its local
// path is program-cell.ts); a cell without is a session cell (session-cell.ts). The notebook
// magics around them are actions/cell-actions.ts.
import type { Logger } from 'pino';
import { describeCache, openCacheSession, readAhead } from '../engine/compile/cache/cached-compile.js';
import type { KeyFiles } from '../engine/compile/cache/cache-key.js';
import { interrupted, magicError, toolchainNotFound } from '../engine/errors.js';
import { detectGpuArch } from '../engine/gpu/gpu-arch.js';
import { describeLimits } from '../engine/run/limits.js';
import { startReaper } from '../engine/run/reaper.js';
import { createScratch } from '../engine/scratch.js';
import { findToolchain, type ToolchainLookup } from '../engine/toolchain/toolchain.js';
import { chooseExecutor } from '../executors/choose.js';
import type { CellJob } from '../executors/executor.js';
import type { ExecutionContext, Interpreter, KernelInfo } from '../protocol/interpreter.js';
import { programLimits, toolPlaces, withOverrides, type Settings } from '../settings/settings.js';
import { createCellActions } from './actions/cell-actions.js';
import { openHistory, type History } from './history.js';
import { checkComplete, completeAt, inspectAt } from './introspection/introspection.js';
import { MagicError, parseCell } from './magics/magics.js';
import type { Plan } from './magics/plan.js';
import { phase, runProgramCell, type ProgramCellDeps } from './program-cell.js';
import { cudaKernelInfo, GPU_UNKNOWN, STATUS_TARGET } from './kernel-info.js';
import { createSessionCells, localSessionRunner } from './session-cell.js';
import { createSessionAssembly } from './actions/session-assembly.js';
import { isSessionCell } from '../session/cell-kind.js';

export interface CudaInterpreterOptions {
  settings: Settings;
  log: Logger;
  /** The background work (the reaper's watchdog, the nvcc and GPU lookups, loading the history)
   * starts when this settles (the kernel: right after its first reply, which needs none of it),
   * or at the first cell, whichever comes first; at once when absent. */
  startAfter?: Promise<unknown>;
}

/** A job for the executors, with what the local path needs: the plan, and the cache key's file
 * system inputs read ahead. */
type KernelJob = CellJob & { plan: Plan; keyFiles?: Promise<KeyFiles | undefined> };

/** Creates the interpreter; its background work (looking for nvcc first) starts after `startAfter`. */
export function createCudaInterpreter({ settings, log: parentLog, startAfter }: CudaInterpreterOptions): Interpreter {
  const log = parentLog.child({ component: 'cuda' });
  let start!: () => void;
  const started = new Promise<void>((resolve) => (start = resolve));
  void (startAfter ?? Promise.resolve()).then(start, start);
  const reaper = startReaper(log, started);
  const scratch = createScratch({ tmpRoot: settings.tmpdir, onCreate: (dir) => reaper.watchDir(dir) });
  let opened: History | undefined;
  const history = (): History => (opened ??= openHistory(settings.history, log));
  void started.then(history);
  let defaultFlags: string[] = [];
  let nvccVersion = '';
  let nvccPath: string | undefined;
  let closed = false;
  let lookup: Promise<ToolchainLookup> | undefined;

  /** The cached toolchain lookup; a failed one is retried at the next cell. */
  const toolchain = async (): Promise<ToolchainLookup> => {
    const found = await (lookup ??= findToolchain(toolPlaces(settings), settings.env));
    if (found.found) [nvccVersion, nvccPath] = [found.toolchain.version, found.toolchain.nvcc];
    else lookup = undefined;
    return found;
  };
  started.then(toolchain).catch((error: unknown) => log.warn({ err: error }, 'nvcc lookup failed'));
  const gpuArch = started.then(() => detectGpuArch(settings.gpuArch, settings.env));
  const actions = createCellActions({ settings, scratch, log, toolchain, defaultFlags: () => defaultFlags, gpuArch, startAfter: started });
  const program: ProgramCellDeps = {
    settings,
    scratch,
    reaper,
    actions,
    cache: openCacheSession({ dir: settings.cacheDir, maxBytes: settings.cacheMaxBytes }, log),
    gpuArch,
    nvccVersion: () => nvccVersion,
  };
  const workspaceDir = () => actions.workspaceDir();
  const local = { settings, reaper, scratch, cache: program.cache, toolchain, gpuArch, workspaceDir, log };
  // Where cells run (ICUDA_EXECUTOR): here through program-cell.ts, a GPU host, or Slurm.
  const executor = chooseExecutor({
    settings,
    log,
    reaper,
    localSessions: localSessionRunner(local),
    local: async (job: KernelJob, ctx: ExecutionContext) => {
      const found = await toolchain();
      if (!found.found) return toolchainNotFound(found.looked);
      return runProgramCell(program, found.toolchain.nvcc, job.plan, job.flags, ctx, job.keyFiles);
    },
  });

  const assembly = createSessionAssembly({ ...local, compiling: (ctx) => phase(ctx, 'compiling') });
  const sessions = createSessionCells({ settings, actions, assembly, sessions: executor.sessions, defaultFlags: () => defaultFlags });

  /** Applies %default_flags; prints them when asked. */
  const applyDefaultFlags = (plan: Plan, ctx: ExecutionContext) => {
    const action = plan.defaultFlags;
    if (action === 'reset') defaultFlags = [];
    else if (action === 'show')
      ctx.output.stream('stdout', defaultFlags.length ? `default flags: ${defaultFlags.join(' ')}\n` : 'no default flags\n');
    else if (action) defaultFlags = [...action.set];
  };

  /** The cache key's file system inputs for a cell (nvcc's stat, the workspace's files), read
   * while the cell is planned, so that a cached cell's lookup waits for no read of its own. */
  const readKeyFilesAhead = async (): Promise<KeyFiles | undefined> =>
    nvccPath === undefined ? undefined : readAhead(program.cache, nvccPath, [await actions.workspaceDir()]);

  /** The job a plan makes for the executor. */
  const jobOf = (plan: Plan, ctx: ExecutionContext, keyFiles: Promise<KeyFiles | undefined>): KernelJob => ({
    plan,
    keyFiles,
    source: plan.source,
    flags: [...defaultFlags, ...plan.flags],
    args: plan.args,
    env: plan.env,
    timeoutS: plan.timeoutS,
    executionCount: ctx.executionCount,
    defaultTimeoutS: settings.timeoutS,
  });

  return {
    commTargets: [STATUS_TARGET],

    kernelInfo(): KernelInfo {
      return cudaKernelInfo(nvccVersion, executor.where, actions.bannerGpu() || GPU_UNKNOWN);
    },

    async execute(code, ctx) {
      start();
      if (ctx.storeHistory && !ctx.silent) history().record(ctx.executionCount, code);
      let plan: Plan;
      try {
        plan = parseCell(code);
      } catch (error) {
        if (error instanceof MagicError) return magicError(error.message);
        throw error;
      }
      // Not when a command of the cell may change the workspace first (%rm).
      const keyFiles = plan.hasCode && !plan.commands?.length ? readKeyFilesAhead() : Promise.resolve(undefined);
      keyFiles.catch(() => undefined); // awaited by the compile, if any
      applyDefaultFlags(plan, ctx);
      if (plan.showCache) ctx.output.stream('stdout', await describeCache(program.cache));
      if (plan.showLimits)
        ctx.output.stream('stdout', describeLimits(programLimits(withOverrides(settings, plan.env)), plan.timeoutS ?? settings.timeoutS));
      const early = (await actions.before(plan, ctx)) ?? (await sessions.commands(plan, ctx));
      if (early) return early;
      if (!plan.hasCode) return { status: 'ok' };
      if (closed || ctx.signal.aborted) return interrupted();
      try {
        if (await isSessionCell(plan.source)) return await sessions.run(plan, ctx);
        return await executor.execute(jobOf(plan, ctx, keyFiles), ctx);
      } finally {
        phase(ctx, 'done');
      }
    },

    async complete(code, cursorPos) {
      return completeAt(code, cursorPos, await actions.workspaceFiles().catch(() => []), await sessions.names());
    },
    async inspect(code, cursorPos) {
      return inspectAt(code, cursorPos, await sessions.names());
    },
    async isComplete(code) {
      return checkComplete(code);
    },
    async history(query) {
      return history().query(query);
    },

    async shutdown() {
      closed = true;
      if (typeof executor.sessions !== 'string')
        await executor.sessions.close().catch((error: unknown) => log.warn({ err: error }, 'session close failed'));
      await opened?.flush().catch(() => undefined);
      reaper.killAll();
      await scratch.removeAll();
      reaper.close();
    },
  };
}
