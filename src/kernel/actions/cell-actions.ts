// The notebook magics acting around a cell's compile and run: workspace files (%%file,
// %sources, %workspace, %rm), assembly views (%%ptx, %%sass, %resources), %gpuinfo, help,
// %time, %bench, %profile and %sanitize. The interpreter calls the four hooks below.
import type { Logger } from 'pino';
import type { ErrorOutcome, ExecuteOutcome, ExecutionContext, OutputSink } from '../../protocol/interpreter.js';
import type { RunOutcome } from '../../engine/outcome.js';
import { ASSEMBLY_FLAGS, ASSEMBLY_OUTPUT, reportResources, showPtx, showSass } from './assembly.js';
import { formatMs, timed } from './tables.js';
import { programTarget, runBench, type BenchDeps, type BenchTarget } from '../bench/bench.js';
import type { BenchEnvironment, BenchRecord } from '../bench/record.js';
import { recordMachine } from '../../engine/gpu/environment.js';
import { packageVersion } from '../../package-info.js';
import type { CompileResult, NvccExtra } from '../../engine/compile/compiler.js';
import { errorOutcome } from '../../engine/errors.js';
import { describeArch, gpuInfoBundle } from './gpu-info.js';
import { bannerGpu, hostCompiler, mergeLookups, probeWithCuda, querySmi, type GpuLookup } from '../../engine/gpu/gpu-probe.js';
import { helpText, listMagics } from '../magics/magic-help.js';
import { MAGICS } from '../magics/magics.js';
import type { Command, Plan } from '../magics/plan.js';
import { profile, sanitize, type RunWith } from './profilers.js';
import type { Scratch } from '../../engine/scratch.js';
import type { ToolchainLookup } from '../../engine/toolchain/toolchain.js';
import type { ToolEnv } from '../../engine/toolchain/tools.js';
import { toolPlaces, type Settings } from '../../settings/settings.js';
import { createWorkspace, formatListing } from './workspace.js';

export interface CellActionsOptions {
  settings: Settings;
  scratch: Scratch;
  log: Logger;
  toolchain: () => Promise<ToolchainLookup>;
  defaultFlags: () => string[];
  /** The arch cells compile for when their flags choose none ('' for native). */
  gpuArch: Promise<string>;
  /** The nvidia-smi query waits for this (the kernel's first reply); at once when absent. */
  startAfter?: Promise<unknown>;
}

export type CellActions = ReturnType<typeof createCellActions>;

/** The hooks; starts asking nvidia-smi about GPUs in the background (after options.startAfter). */
export function createCellActions(options: CellActionsOptions) {
  const { settings, scratch } = options;
  const env = settings.env; // nvcc's and the tools' environment
  const tools: ToolEnv = { places: toolPlaces(settings), env };
  const workspace = createWorkspace(
    () => scratch.createRun(),
    (dir) => scratch.removeRun(dir),
  );
  let smi: GpuLookup | undefined;
  const smiLookup = (options.startAfter ?? Promise.resolve())
    .then(() => querySmi(tools.places, env))
    .catch((error: unknown) => ({ gpus: [], reason: String(error) }));
  smiLookup.then(
    (found) => {
      smi = found;
    },
    () => undefined,
  );
  let cudaLookup: Promise<GpuLookup> | undefined;

  /** GPUs by nvidia-smi completed by the CUDA probe program (run once per kernel). */
  const gpus = async (nvcc: string, signal: AbortSignal): Promise<GpuLookup> => {
    cudaLookup ??= (async () => {
      const dir = await scratch.createRun();
      try {
        return await probeWithCuda(nvcc, dir, env, signal);
      } finally {
        await scratch.removeRun(dir);
      }
    })();
    return mergeLookups(await smiLookup, await cudaLookup);
  };

  /** %gpuinfo: the GPUs and the toolchain as a table. */
  const gpuInfo = async (ctx: ExecutionContext): Promise<ExecuteOutcome | undefined> => {
    const found = await options.toolchain();
    const lookup = found.found ? await gpus(found.toolchain.nvcc, ctx.signal) : await smiLookup;
    smi = lookup;
    ctx.output.display(
      gpuInfoBundle(lookup, {
        nvcc: found.found ? found.toolchain.nvcc : 'not found',
        nvccVersion: found.found ? found.toolchain.version : '',
        hostCompiler: await hostCompiler(env),
        arch: describeArch(options.defaultFlags(), lookup),
      }),
    );
    return undefined;
  };

  /** %bench's results collected by --group, across cells. */
  const groups = new Map<string, BenchRecord[]>();

  /** The environment a bench records: the machine now, the toolchain, the cell's flags. */
  const environment = async (plan: Plan): Promise<BenchEnvironment> => {
    const found = await options.toolchain();
    return {
      machine: await recordMachine(tools.places, env),
      clocksAtEnd: { smClockMHz: [], memClockMHz: [] },
      icudaVersion: packageVersion,
      nvccVersion: found.found ? found.toolchain.version : '',
      flags: [...options.defaultFlags(), ...plan.flags],
      arch: await options.gpuArch,
    };
  };

  /** What a bench needs of this kernel and request. */
  const benchDeps = (ctx: ExecutionContext, output: OutputSink, plan: Plan): BenchDeps => ({
    output,
    signal: ctx.signal,
    groups,
    environment: () => environment(plan),
  });

  /** One stand-alone command; an outcome when it failed. */
  const command = async (cmd: Command, ctx: ExecutionContext): Promise<ExecuteOutcome | undefined> => {
    const say = (text: string) => ctx.output.stream('stdout', text);
    try {
      if (cmd.name === 'workspace') say(formatListing(await workspace.list()));
      else if (cmd.name === 'lsmagic') say(listMagics(MAGICS));
      else if (cmd.name === 'help') say(helpText(MAGICS, cmd.args[0]));
      else if (cmd.name === 'gpuinfo') return await gpuInfo(ctx);
      else
        for (const name of cmd.args) say((await workspace.remove(name)) ? `removed ${name}\n` : `${name}: no such file in the workspace\n`);
    } catch (error) {
      return errorOutcome(cmd.name === 'help' ? 'MagicError' : 'WorkspaceError', (error as Error).message);
    }
    return undefined;
  };

  return {
    /** The banner's GPU words: what nvidia-smi found so far ('' while it has not answered). */
    bannerGpu: () => bannerGpu(smi),

    /** The workspace directory (made on first use). */
    workspaceDir: () => workspace.dir(),

    /** %bench on a target the kernel made (a session cell's): the groups and environment programs use. */
    bench: (target: BenchTarget, plan: Plan, ctx: ExecutionContext, output: OutputSink): Promise<RunOutcome> =>
      plan.mode?.kind === 'bench'
        ? runBench(target, plan.mode, `cell[${ctx.executionCount}]`, benchDeps(ctx, output, plan))
        : Promise.resolve(errorOutcome('MagicError', '%bench: no bench options')),

    /** The workspace's file names, for completion inside `#include "`. */
    workspaceFiles: async (): Promise<string[]> => (await workspace.list()).map((f) => f.name),

    /** Stand-alone commands, then %%file; an outcome when the cell ends here. */
    async before(plan: Plan, ctx: ExecutionContext): Promise<ExecuteOutcome | undefined> {
      for (const cmd of plan.commands ?? []) {
        const failed = await command(cmd, ctx);
        if (failed) return failed;
      }
      const cell = plan.cellMagic;
      if (cell?.name !== 'file') return undefined;
      try {
        const bytes = await workspace.save(cell.file, cell.body, cell.append);
        ctx.output.stream(
          'stdout',
          `${cell.append ? 'appended' : 'saved'} ${bytes} bytes ${cell.append ? 'to' : 'as'} ${cell.file} in the workspace\n`,
        );
        return { status: 'ok' };
      } catch (error) {
        return errorOutcome('WorkspaceError', (error as Error).message);
      }
    },

    /** A compile error naming workspace files by their names, not their paths. */
    async tidy(error: ErrorOutcome): Promise<ErrorOutcome> {
      const prefix = (await workspace.dir()) + '/';
      return { ...error, traceback: error.traceback.map((line) => line.replaceAll(prefix, '')) };
    },

    /** What the compile adds: the workspace on the include path, %sources, ptxas's report, assembly outputs. */
    async compileExtra(plan: Plan): Promise<{ extra: NvccExtra; dirs: string[] } | ExecuteOutcome> {
      const dir = await workspace.dir();
      const flags = ['-I', dir];
      const assembly = plan.cellMagic?.name === 'ptx' || plan.cellMagic?.name === 'sass';
      if (assembly) flags.push(...ASSEMBLY_FLAGS);
      else if (plan.resources) flags.push('-Xptxas', '-v');
      const inputs: string[] = [];
      try {
        if (!assembly) for (const name of plan.sources ?? []) inputs.push(await workspace.resolve(name));
      } catch (error) {
        return errorOutcome('WorkspaceError', `%sources: ${(error as Error).message}`);
      }
      if (inputs.length > 0) flags.push('-rdc=true');
      return { extra: { flags, inputs, ...(assembly ? { output: ASSEMBLY_OUTPUT } : {}) }, dirs: [dir] };
    },

    /** After a good compile: the resource summary; %%ptx and %%sass end the cell here. */
    async afterCompile(
      plan: Plan,
      compiled: CompileResult & { status: 'ok' },
      dir: string,
      nvcc: string,
      ctx: ExecutionContext,
    ): Promise<ExecuteOutcome | undefined> {
      const cell = plan.cellMagic;
      const assembly = cell?.name === 'ptx' || cell?.name === 'sass';
      if (assembly || plan.resources)
        compiled.warnings = await reportResources(compiled.warnings, ctx.output, tools, assembly ? '// ' : '');
      if (!assembly) return undefined;
      if (compiled.warnings) ctx.output.stream('stderr', compiled.warnings + '\n');
      return cell.name === 'ptx' ? showPtx(dir, ctx.output) : showSass(dir, ctx.output, tools, nvcc, ctx.signal);
    },

    /** Runs the program as the plan says: once, timed, benched, profiled or sanitized. */
    async run(
      plan: Plan,
      ctx: ExecutionContext,
      output: OutputSink,
      program: string,
      runWith: RunWith,
      nvcc: string,
      compileMs: number,
    ): Promise<ExecuteOutcome> {
      const mode = plan.mode;
      const tool = {
        program,
        args: plan.args,
        tools,
        nvcc,
        workspace: await workspace.dir(),
        executionCount: ctx.executionCount,
        output,
        runWith,
      };
      const [outcome, runMs] = await timed(() => {
        if (mode?.kind === 'bench')
          return runBench(
            programTarget((sink) => runWith(program, plan.args, sink), mode, output),
            mode,
            `cell[${ctx.executionCount}]`,
            benchDeps(ctx, output, plan),
          );
        if (mode?.kind === 'profile') return profile(mode, tool);
        if (mode?.kind === 'sanitize') return sanitize(mode, tool);
        return runWith(program, plan.args, output);
      });
      if (plan.time) ctx.output.stream('stdout', `%time: compile ${formatMs(compileMs)}, run ${formatMs(runMs)}\n`);
      return outcome;
    },
  };
}
