// %%ptx, %%sass and %resources on a session cell: the source the session would compile for the
// cell now (its unit, with what it sees of earlier cells) compiled to a cubin with ptxas's report,
// in a scratch directory of its own; then the PTX or SASS shown, or the resource summary printed
// before the cell runs. Kernel names are shown without the session's versioned namespaces.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compileCell } from '../../engine/compile/compiler.js';
import { errorOutcome, toolchainNotFound } from '../../engine/errors.js';
import type { Reaper } from '../../engine/run/reaper.js';
import type { Scratch } from '../../engine/scratch.js';
import type { ToolchainLookup } from '../../engine/toolchain/toolchain.js';
import type { SessionRunner } from '../../executors/executor.js';
import type { ErrorOutcome, ExecutionContext, OutputSink } from '../../protocol/interpreter.js';
import { toolPlaces, type Settings } from '../../settings/settings.js';
import type { Plan } from '../magics/plan.js';
import { ASSEMBLY_FLAGS, ASSEMBLY_OUTPUT, reportResources, showPtx, showSass } from './assembly.js';

export interface SessionAssemblyDeps {
  settings: Settings;
  scratch: Scratch;
  reaper: Reaper;
  toolchain: () => Promise<ToolchainLookup>;
  /** The arch cells compile for when their flags choose none ('' for native). */
  gpuArch: Promise<string>;
  workspaceDir: () => Promise<string>;
  /** Tells the frontend the cell compiles. */
  compiling: (ctx: ExecutionContext) => void;
}

export type SessionAssembly = ReturnType<typeof createSessionAssembly>;

/** The assembly views of session cells. */
export function createSessionAssembly(deps: SessionAssemblyDeps) {
  const { settings } = deps;
  const tools = { places: toolPlaces(settings), env: settings.env };
  return {
    /** Shows what the plan asks (%%ptx, %%sass, %resources' summary); an error when it cannot. */
    async show(sessions: SessionRunner, plan: Plan, flags: string[], ctx: ExecutionContext): Promise<ErrorOutcome | undefined> {
      if (!sessions.unitSource)
        return errorOutcome('SessionError', '%%ptx, %%sass and %resources on a session cell are not offered by this executor');
      const found = await deps.toolchain();
      if (!found.found) return toolchainNotFound(found.looked);
      const source = await sessions.unitSource(plan.source, { executionCount: ctx.executionCount, flags });
      if (typeof source !== 'string') return source;
      const dir = await deps.scratch.createRun();
      try {
        await writeFile(join(dir, 'cell.cu'), source);
        deps.compiling(ctx);
        const compiled = await compileCell({
          nvcc: found.toolchain.nvcc,
          dir,
          flags,
          executionCount: ctx.executionCount,
          env: settings.env,
          signal: ctx.signal,
          reaper: deps.reaper,
          timeoutS: settings.compileTimeoutS,
          arch: await deps.gpuArch,
          extra: { flags: ['-I', await deps.workspaceDir(), ...ASSEMBLY_FLAGS], output: ASSEMBLY_OUTPUT },
        });
        if (compiled.status === 'error') return compiled;
        const cell = plan.cellMagic;
        const warnings = await reportResources(compiled.warnings, withoutUnitNames(ctx.output), tools, cell ? '// ' : '');
        if (warnings) ctx.output.stream('stderr', warnings + '\n');
        const shown =
          cell?.name === 'ptx'
            ? await showPtx(dir, ctx.output)
            : cell?.name === 'sass'
              ? await showSass(dir, ctx.output, tools, found.toolchain.nvcc, ctx.signal)
              : undefined;
        return shown?.status === 'error' ? shown : undefined;
      } finally {
        await deps.scratch.removeRun(dir);
      }
    },
  };
}

/** A sink that leaves the session's namespaces (icuda_u3::) out of the text it passes on. */
function withoutUnitNames(output: OutputSink): OutputSink {
  return {
    stream: (name, text) => output.stream(name, text.replace(/\bicuda_u\d+::/g, '')),
    display: (data, metadata, id) => output.display(data, metadata, id),
    updateDisplay: (id, data, metadata) => output.updateDisplay(id, data, metadata),
    clearOutput: (wait) => output.clearOutput(wait),
    flush: () => output.flush(),
  };
}
