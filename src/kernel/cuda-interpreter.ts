// The CUDA interpreter: each cell a program. cell -> plan (magics) -> scratch -> nvcc -> run -> outcome.
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import type { ExecuteOutcome, ExecutionContext, Interpreter, KernelInfo } from '../protocol/interpreter.js';
import { packageVersion } from '../package-info.js';
import { cellFile } from '../engine/compile/compiler.js';
import { timed } from './actions/bench.js';
import { createCellActions } from './actions/cell-actions.js';
import type { RunWith } from './actions/profilers.js';
import { compileCached, describeCache, openCacheSession } from '../engine/compile/cache/cached-compile.js';
import { describeLimits, limitsFromEnv } from '../engine/run/limits.js';
import { detectGpuArch } from '../engine/gpu/gpu-arch.js';
import { limitOutput, outputLimitFromEnv } from '../engine/run/output-limit.js';
import { errorOutcome, interrupted, magicError, toolchainNotFound } from '../engine/errors.js';
import { checkComplete, completeAt, inspectAt } from './introspection/introspection.js';
import { chooseExecutor } from '../executors/choose.js';
import type { CellJob } from '../executors/executor.js';
import { MagicError, parseCell } from './magics/magics.js';
import type { Plan } from './magics/plan.js';
import { historyPath, openHistory } from './history.js';
import { startReaper } from '../engine/run/reaper.js';
import { runProgram, type TimeLimit } from '../engine/run/runner.js';
import { createScratch } from '../engine/scratch.js';
import { findToolchain, type ToolchainLookup } from '../engine/toolchain/toolchain.js';

/** File system errors that mean the scratch location cannot take the cell's files. */
const SCRATCH_ERRORS = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EPERM']);

export interface CudaInterpreterOptions {
  log: Logger;
  /** The environment nvcc is looked up in and programs start from (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Where the kernel's scratch directory goes (default: the OS temp dir). */
  tmpRoot?: string;
}

/** Creates the interpreter; starts looking for nvcc in the background at once. */
export function createCudaInterpreter(options: CudaInterpreterOptions): Interpreter {
  const log = options.log.child({ component: 'cuda' });
  const env = options.env ?? process.env;
  const reaper = startReaper(log);
  const scratch = createScratch({ tmpRoot: options.tmpRoot, onCreate: (dir) => reaper.watchDir(dir) });
  const defaultLimit = limitFromEnv(env, log);
  // Where cells run (ICUDA_EXECUTOR): here through `build` below, a GPU host, or Slurm.
  const executor = chooseExecutor({
    env,
    log,
    reaper,
    local: async (job: CellJob & { plan: Plan }, ctx: ExecutionContext) => {
      const found = await toolchain();
      if (!found.found) return toolchainNotFound(found.looked);
      return build(found.toolchain.nvcc, job.plan, ctx).catch(scratchFailure);
    },
  });
  const cache = openCacheSession(env, log);
  const gpuArch = detectGpuArch(env);
  const defaultOutputLimit = outputLimitFromEnv(env);
  const history = openHistory(historyPath(env), log);
  let defaultFlags: string[] = [];
  let nvccVersion = '';
  let closed = false;
  let lookup: Promise<ToolchainLookup> | undefined;

  /** The cached toolchain lookup; a failed one is retried at the next cell. */
  const toolchain = async (): Promise<ToolchainLookup> => {
    const found = await (lookup ??= findToolchain(env));
    if (found.found) nvccVersion = found.toolchain.version;
    else lookup = undefined;
    return found;
  };
  toolchain().catch((error: unknown) => log.warn({ err: error }, 'nvcc lookup failed'));
  // The notebook magics (workspace, assembly, %gpuinfo, %time, %bench, profilers): cell-actions.ts.
  const actions = createCellActions({ env, scratch, log, toolchain, defaultFlags: () => defaultFlags });

  /** Applies %default_flags; prints them when asked. */
  const applyDefaultFlags = (plan: Plan, ctx: ExecutionContext) => {
    const action = plan.defaultFlags;
    if (action === 'reset') defaultFlags = [];
    else if (action === 'show')
      ctx.output.stream('stdout', defaultFlags.length ? `default flags: ${defaultFlags.join(' ')}\n` : 'no default flags\n');
    else if (action) defaultFlags = [...action.set];
  };

  /** A full, read-only or forbidden scratch location is the cell's error, not the kernel's. */
  const scratchFailure = (error: unknown): ExecuteOutcome => {
    const code = (error as NodeJS.ErrnoException).code;
    if (!code || !SCRATCH_ERRORS.has(code)) throw error;
    return errorOutcome(
      'ScratchError',
      `cannot write the cell's files (${code}: ${(error as Error).message}); free space or fix the temp dir (TMPDIR), then run the cell again`,
    );
  };

  /** Writes, compiles and runs the cell in a fresh run directory, removed afterwards unless %keep. */
  const build = async (nvcc: string, plan: Plan, ctx: ExecutionContext): Promise<ExecuteOutcome> => {
    const dir = await scratch.createRun();
    const execLog = ctx.log.child({ run: dir });
    try {
      await writeFile(join(dir, 'cell.cu'), cellFile(plan.source, ctx.executionCount));
      const more = await actions.compileExtra(plan);
      if ('status' in more) return more;
      const [compiled, compileMs] = await timed(async () =>
        compileCached(cache, {
          nvcc,
          dir,
          flags: [...defaultFlags, ...plan.flags],
          executionCount: ctx.executionCount,
          env,
          signal: ctx.signal,
          reaper,
          arch: await gpuArch,
          source: plan.source,
          nvccVersion,
          dirs: more.dirs,
          extra: more.extra,
          skip: Boolean(plan.nocache || plan.resources),
          announceHit: Boolean(plan.time),
          output: ctx.output,
        }),
      );
      execLog.debug({ status: compiled.status }, 'compiled');
      if (compiled.status === 'error') return actions.tidy(compiled);
      const shown = await actions.afterCompile(plan, compiled, dir, nvcc, ctx);
      if (shown) return shown;
      if (compiled.warnings) ctx.output.stream('stderr', compiled.warnings + '\n');
      if (ctx.signal.aborted) return interrupted();
      const limit: TimeLimit | undefined = plan.timeoutS ? { seconds: plan.timeoutS, source: `%timeout ${plan.timeoutS}` } : defaultLimit;
      const output = limitOutput(
        ctx.output,
        plan.outputLimit ?? defaultOutputLimit,
        join(dirname(dirname(dir)), `output-cell${ctx.executionCount}-${Date.now()}.txt`),
      );
      try {
        const runWith: RunWith = (binary, args, sink) =>
          runProgram({
            binary,
            args,
            env: { ...env, ...plan.env },
            cwd: dir,
            limit,
            signal: ctx.signal,
            output: sink,
            reaper,
            input: ctx.allowStdin ? (prompt) => ctx.input(prompt) : undefined,
          });
        return await actions.run(plan, ctx, output, compiled.binary, runWith, nvcc, compileMs);
      } finally {
        await output.finish();
      }
    } finally {
      if (plan.keep) ctx.output.stream('stdout', `kept ${dir}\n`);
      else await scratch.removeRun(dir);
    }
  };

  return {
    kernelInfo(): KernelInfo {
      return {
        implementation: 'icuda',
        implementationVersion: packageVersion,
        languageInfo: {
          name: 'cuda',
          version: nvccVersion,
          mimetype: 'text/x-cuda',
          file_extension: '.cu',
          codemirror_mode: 'text/x-c++src',
          pygments_lexer: 'cuda',
        },
        banner: `icuda ${packageVersion}: each cell a CUDA program, compiled by nvcc${nvccVersion ? ` ${nvccVersion}` : ''} and run ${executor.where}; ${actions.bannerGpu() || 'GPU: still looking'}`,
      };
    },

    async execute(code, ctx) {
      if (ctx.storeHistory && !ctx.silent) history.record(ctx.executionCount, code);
      let plan: Plan;
      try {
        plan = parseCell(code);
      } catch (error) {
        if (error instanceof MagicError) return magicError(error.message);
        throw error;
      }
      applyDefaultFlags(plan, ctx);
      if (plan.showCache) ctx.output.stream('stdout', await describeCache(cache));
      if (plan.showLimits)
        ctx.output.stream('stdout', describeLimits(limitsFromEnv({ ...env, ...plan.env }), plan.timeoutS ?? defaultLimit?.seconds));
      const early = await actions.before(plan, ctx);
      if (early) return early;
      if (!plan.hasCode) return { status: 'ok' };
      if (closed || ctx.signal.aborted) return interrupted();
      return executor.execute(
        {
          plan,
          source: plan.source,
          flags: [...defaultFlags, ...plan.flags],
          args: plan.args,
          env: plan.env,
          timeoutS: plan.timeoutS,
          executionCount: ctx.executionCount,
          defaultTimeoutS: defaultLimit?.seconds,
        },
        ctx,
      );
    },

    async complete(code, cursorPos) {
      return completeAt(code, cursorPos, await actions.workspaceFiles().catch(() => []));
    },
    async inspect(code, cursorPos) {
      return inspectAt(code, cursorPos);
    },
    async isComplete(code) {
      return checkComplete(code);
    },
    async history(query) {
      return history.query(query);
    },

    async shutdown() {
      closed = true;
      await history.flush().catch(() => undefined);
      reaper.killAll();
      await scratch.removeAll();
      reaper.close();
    },
  };
}

/** The default time limit from ICUDA_TIMEOUT (seconds), if set and valid. */
function limitFromEnv(env: NodeJS.ProcessEnv, log: Logger): TimeLimit | undefined {
  const raw = env.ICUDA_TIMEOUT;
  if (!raw) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds > 0) return { seconds, source: `ICUDA_TIMEOUT=${raw}` };
  log.warn({ ICUDA_TIMEOUT: raw }, 'ignoring ICUDA_TIMEOUT: not a positive number of seconds');
  return undefined;
}
