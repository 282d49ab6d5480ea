// A whole-program cell on this machine: a fresh run directory, nvcc through the compile cache
// (cell.cu written for it), then the program run as the plan says (once, timed, benched,
// profiled), its output limited; the directory is removed afterwards (in the background)
// unless %keep.
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { CacheSession } from '../engine/compile/cache/cached-compile.js';
import type { KeyFiles } from '../engine/compile/cache/cache-key.js';
import { compileCached } from '../engine/compile/cache/cached-compile.js';
import { cellFile } from '../engine/compile/compiler.js';
import { errorOutcome, interrupted } from '../engine/errors.js';
import type { Reaper } from '../engine/run/reaper.js';
import { limitOutput } from '../engine/run/output-limit.js';
import { runProgram, type TimeLimit } from '../engine/run/runner.js';
import type { Scratch } from '../engine/scratch.js';
import type { ExecuteOutcome, ExecutionContext } from '../protocol/interpreter.js';
import { programLimits, withOverrides, type Settings } from '../settings/settings.js';
import { timed } from './actions/tables.js';
import type { CellActions } from './actions/cell-actions.js';
import type { RunWith } from './actions/profilers.js';
import type { Plan } from './magics/plan.js';
import { STATUS_TARGET } from './kernel-info.js';

/** File system errors that mean the scratch location cannot take the cell's files. */
const SCRATCH_ERRORS = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EPERM']);

/** What a program cell needs of the kernel. */
export interface ProgramCellDeps {
  settings: Settings;
  scratch: Scratch;
  reaper: Reaper;
  cache: CacheSession;
  actions: CellActions;
  /** The arch nvcc targets when the flags choose none ('' for native). */
  gpuArch: Promise<string>;
  nvccVersion: () => string;
}

/** The cell's time limit: its %timeout, else ICUDA_TIMEOUT. */
export function timeLimit(plan: Plan, settings: Settings): TimeLimit | undefined {
  if (plan.timeoutS) return { seconds: plan.timeoutS, source: `%timeout ${plan.timeoutS}` };
  return settings.timeoutS ? { seconds: settings.timeoutS, source: `ICUDA_TIMEOUT=${settings.timeoutS}` } : undefined;
}

/** Compiles and runs one whole-program cell; a full or read-only scratch is the cell's error. */
export async function runProgramCell(
  deps: ProgramCellDeps,
  nvcc: string,
  plan: Plan,
  flags: string[],
  ctx: ExecutionContext,
  keyFiles?: Promise<KeyFiles | undefined>,
): Promise<ExecuteOutcome> {
  return build(deps, nvcc, plan, flags, ctx, keyFiles).catch(scratchFailure);
}

/** Writes, compiles and runs the cell in a fresh run directory. */
async function build(
  deps: ProgramCellDeps,
  nvcc: string,
  plan: Plan,
  flags: string[],
  ctx: ExecutionContext,
  keyFiles?: Promise<KeyFiles | undefined>,
): Promise<ExecuteOutcome> {
  const { settings, actions } = deps;
  // The run dir is made while the cache is looked up; cell.cu is written for nvcc (a hit runs
  // without it) and for %keep, whose directory shows the source. A failed write fails the cell.
  const { dir, made } = await deps.scratch.reserveRun();
  made.catch(() => undefined); // awaited below, or by the compile
  let written: Promise<void> | undefined;
  const writeSource = () => (written ??= made.then(() => writeFile(join(dir, 'cell.cu'), cellFile(plan.source, ctx.executionCount))));
  if (plan.keep) writeSource().catch(() => undefined);
  try {
    const more = await actions.compileExtra(plan);
    if ('status' in more) return more;
    phase(ctx, 'compiling');
    const [compiled, compileMs] = await timed(async () =>
      compileCached(deps.cache, {
        nvcc,
        dir,
        flags,
        executionCount: ctx.executionCount,
        env: settings.env,
        signal: ctx.signal,
        reaper: deps.reaper,
        timeoutS: settings.compileTimeoutS,
        arch: await deps.gpuArch,
        source: plan.source,
        nvccVersion: deps.nvccVersion(),
        dirs: more.dirs,
        extra: more.extra,
        skip: Boolean(plan.nocache || plan.resources),
        announceHit: Boolean(plan.time),
        output: ctx.output,
        made,
        keyFiles,
        prepare: writeSource,
      }),
    );
    await Promise.all([made, written]);
    ctx.log.debug({ run: dir, status: compiled.status }, 'compiled');
    if (compiled.status === 'error') return actions.tidy(compiled);
    const shown = await actions.afterCompile(plan, compiled, dir, nvcc, ctx);
    if (shown) return shown;
    if (compiled.warnings) ctx.output.stream('stderr', compiled.warnings + '\n');
    if (ctx.signal.aborted) return interrupted();
    phase(ctx, 'running');
    const outputFile = join(dirname(dirname(dir)), `output-cell${ctx.executionCount}-${Date.now()}.txt`);
    const output = limitOutput(ctx.output, plan.outputLimit ?? settings.outputLimit, outputFile);
    try {
      // A cell's %env may set ICUDA_MAX_FILE_SIZE and friends for itself.
      const limits = programLimits(withOverrides(settings, plan.env));
      const runWith: RunWith = (binary, args, sink) =>
        runProgram({
          binary,
          args,
          env: { ...settings.env, ...plan.env },
          cwd: dir,
          limit: timeLimit(plan, settings),
          limits,
          signal: ctx.signal,
          output: sink,
          reaper: deps.reaper,
          input: ctx.allowStdin ? (prompt) => ctx.input(prompt) : undefined,
          standby: { env: settings.env, limits: programLimits(settings) },
        });
      return await actions.run(plan, ctx, output, compiled.binary, runWith, nvcc, compileMs);
    } finally {
      await output.finish();
    }
  } finally {
    if (plan.keep) ctx.output.stream('stdout', `kept ${dir}\n`);
    else void made.finally(() => deps.scratch.discardRun(dir)).catch(() => undefined); // once it exists: removed for good
  }
}

/** Tells a frontend that listens (the JupyterLab extension's comm) what the cell is doing. */
export function phase(ctx: ExecutionContext, what: 'compiling' | 'running' | 'done'): void {
  ctx.notify(STATUS_TARGET, { phase: what, execution_count: ctx.executionCount });
}

/** A full, read-only or forbidden scratch location is the cell's error, not the kernel's. */
function scratchFailure(error: unknown): ExecuteOutcome {
  const code = (error as NodeJS.ErrnoException).code;
  if (!code || !SCRATCH_ERRORS.has(code)) throw error;
  const why = `${code}: ${(error as Error).message}`;
  return errorOutcome(
    'ScratchError',
    `cannot write the cell's files (${why}); free space or fix the temp dir (TMPDIR), then run the cell again`,
  );
}
