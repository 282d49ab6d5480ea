// A session cell (a cell without main) in the kernel: the magics that apply to one, then the
// executor's session runner: the cell compiled and run in the session (%time, %timeout, %check,
// %output_limit, %nocache), timed (%bench), or shown as PTX, SASS or resources. Also the session
// magics %reset, %replay and %vars. Errors never show the scratch paths the cell was built in.
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import type { CacheSession } from '../engine/compile/cache/cached-compile.js';
import { errorOutcome, magicError, toolchainNotFound } from '../engine/errors.js';
import { limitOutput } from '../engine/run/output-limit.js';
import type { Reaper } from '../engine/run/reaper.js';
import type { Scratch } from '../engine/scratch.js';
import type { ToolchainLookup } from '../engine/toolchain/toolchain.js';
import type { SessionRunner } from '../executors/executor.js';
import { localSessions } from '../executors/local.js';
import type { ExecuteOutcome, ExecutionContext } from '../protocol/interpreter.js';
import { Session } from '../session/session.js';
import type { CellOptions } from '../session/session-types.js';
import { programLimits, type Settings } from '../settings/settings.js';
import type { CellActions } from './actions/cell-actions.js';
import type { SessionAssembly } from './actions/session-assembly.js';
import { formatMs } from './actions/tables.js';
import { varsBundle } from './actions/vars-table.js';
import { sessionTarget } from './bench/session-target.js';
import type { Plan } from './magics/plan.js';
import { phase, timeLimit } from './program-cell.js';
import { sessionFlags, unfitMagics, withoutScratchPaths } from './session-plan.js';

export interface SessionCellDeps {
  settings: Settings;
  actions: CellActions;
  assembly: SessionAssembly;
  /** The executor's session cells, or why it has none. */
  sessions: SessionRunner | string;
  defaultFlags: () => string[];
}

export type SessionCells = ReturnType<typeof createSessionCells>;

/** The session side of the interpreter. */
export function createSessionCells(deps: SessionCellDeps) {
  const { settings, actions } = deps;

  /** The runner, or the error that says why this executor has none. */
  const runner = (): SessionRunner | ExecuteOutcome =>
    typeof deps.sessions === 'string' ? errorOutcome('SessionError', deps.sessions) : deps.sessions;

  /** %reset, %replay, %vars in the order written; an outcome when one failed. */
  const commands = async (plan: Plan, ctx: ExecutionContext): Promise<ExecuteOutcome | undefined> => {
    for (const command of plan.session ?? []) {
      const sessions = runner();
      if ('status' in sessions) return sessions;
      const say = (text: string) => ctx.output.stream('stdout', text);
      if (command === 'reset') await sessions.reset().then(() => say('icuda: a fresh session: what session cells defined is gone\n'));
      if (command === 'vars')
        ctx.output.display(varsBundle(await sessions.describe({ memory: { signal: ctx.signal, output: ctx.output } })));
      if (command !== 'replay') continue;
      const replayed = await sessions.replay({ signal: ctx.signal, output: ctx.output });
      if (replayed.status === 'error') return withoutScratchPaths(replayed);
    }
    return undefined;
  };

  /** Compiles and runs a session cell as the plan says. */
  const run = async (plan: Plan, ctx: ExecutionContext): Promise<ExecuteOutcome> => {
    const unfit = unfitMagics(plan);
    if (unfit) return magicError(unfit);
    const sessions = runner();
    if ('status' in sessions) return sessions;
    const flags = sessionFlags(deps.defaultFlags(), plan);
    const kernelDir = dirname(dirname(await actions.workspaceDir()));
    if (plan.cellMagic || plan.resources) {
      const shown = await deps.assembly.show(sessions, plan, flags, ctx);
      if (shown) return withoutScratchPaths(await actions.tidy(shown), kernelDir);
      if (plan.cellMagic) return { status: 'ok' };
    }
    const output = limitOutput(
      ctx.output,
      plan.outputLimit ?? settings.outputLimit,
      join(kernelDir, `output-cell${ctx.executionCount}-${Date.now()}.txt`),
    );
    const times = { start: performance.now(), running: 0 };
    const options: CellOptions = {
      executionCount: ctx.executionCount,
      flags,
      signal: ctx.signal,
      output,
      input: ctx.allowStdin ? (prompt) => ctx.input(prompt) : undefined,
      timeLimit: timeLimit(plan, settings),
      check: plan.check,
      nocache: plan.nocache,
      announceHit: plan.time,
      onPhase: (what) => {
        if (what === 'running') times.running = performance.now();
        phase(ctx, what);
      },
    };
    try {
      const outcome = await runOrBench(sessions, plan, options, ctx);
      const end = performance.now();
      const compiled = (times.running || end) - times.start;
      if (plan.time)
        ctx.output.stream('stdout', `%time: compile ${formatMs(compiled)}, run ${formatMs(times.running ? end - times.running : 0)}\n`);
      return outcome.status === 'error' ? withoutScratchPaths(await actions.tidy(outcome), kernelDir) : outcome;
    } finally {
      await output.finish();
    }
  };

  /** Runs the cell once, or benches it when %bench asks and the executor can. */
  const runOrBench = async (sessions: SessionRunner, plan: Plan, options: CellOptions, ctx: ExecutionContext) => {
    const mode = plan.mode;
    if (mode?.kind !== 'bench') return sessions.runCell(plan.source, options);
    if (!sessions.bench)
      return errorOutcome('SessionError', '%bench on a session cell is not offered by this executor; give the cell a main()');
    const request = { bytes: mode.bytes, flops: mode.flops, cold: mode.cold };
    return sessions.bench(plan.source, options, request, (bench) => actions.bench(sessionTarget(bench), plan, ctx, options.output));
  };

  /** The names the session defines, for completion and inspection (none when it has no session). */
  const names = async () => (typeof deps.sessions === 'string' ? [] : deps.sessions.describe());

  return { commands, run, names };
}

/** What a local Session needs of the kernel. */
export interface LocalSessionDeps {
  settings: Settings;
  reaper: Reaper;
  scratch: Scratch;
  cache: CacheSession;
  toolchain: () => Promise<ToolchainLookup>;
  gpuArch: Promise<string>;
  workspaceDir: () => Promise<string>;
  log: Logger;
}

/** Session cells on this machine: the Session is made at the first session cell, once nvcc is found;
 * cells include from the workspace. */
export function localSessionRunner(deps: LocalSessionDeps): SessionRunner {
  return localSessions(async () => {
    const found = await deps.toolchain();
    if (!found.found) return toolchainNotFound(found.looked);
    const { settings } = deps;
    return new Session({
      nvcc: found.toolchain.nvcc,
      nvccVersion: found.toolchain.version,
      env: settings.env,
      reaper: deps.reaper,
      scratch: deps.scratch,
      limits: programLimits(settings),
      runnerDir: settings.cacheDir,
      cache: deps.cache,
      arch: (await deps.gpuArch) || undefined,
      dirs: [await deps.workspaceDir()],
      log: deps.log,
    });
  });
}
