// Compiles a planned unit into a shared object the runner can load: nvcc through the engine
// (the compile cache when the kernel has one), in a scratch directory of its own.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { compileCached, type CacheSession } from '../engine/compile/cache/cached-compile.js';
import { compileCell } from '../engine/compile/compiler.js';
import type { ProgramLimits } from '../engine/run/limits.js';
import type { ErrorOutcome, OutputSink } from '../engine/outcome.js';
import type { Reaper } from '../engine/run/reaper.js';
import type { Scratch } from '../engine/scratch.js';
import type { UnitPlan } from './generate.js';

/** A shared object whose kernels later objects can launch, sharing the runner's CUDA runtime;
 * launches go through the runner's %check wrapper. */
export const SHARED_OBJECT_FLAGS: readonly string[] = [
  '-shared',
  '-Xcompiler',
  '-fPIC',
  '-cudart',
  'shared',
  '-device-entity-has-hidden-visibility=false',
  '-Xlinker',
  '--wrap=__cudaLaunchKernel',
];

/** What compiling needs from the kernel. */
export interface BuildTools {
  nvcc: string;
  nvccVersion: string;
  env: NodeJS.ProcessEnv;
  reaper: Reaper;
  scratch: Scratch;
  limits: ProgramLimits;
  cache?: CacheSession;
  /** The target when the flags choose none ("sm_90"); else nvcc's native. */
  arch?: string;
  /** Directories cells may include from (the workspace): on the include path, and part of the cache key. */
  dirs: string[];
  log: Logger;
}

export interface BuildRequest {
  flags: string[];
  executionCount: number;
  signal: AbortSignal;
  output: OutputSink;
  /** %nocache. */
  nocache?: boolean;
  /** %time: say when the cache answered. */
  announceHit?: boolean;
}

/** A built object, in a scratch directory to remove once the runner has loaded it. */
export interface BuiltUnit {
  status: 'ok';
  object: string;
  dir: string;
}

/** Compiles the unit; nvcc's warnings go to stderr, errors come back as the outcome. */
export async function buildUnit(tools: BuildTools, plan: UnitPlan, request: BuildRequest): Promise<BuiltUnit | ErrorOutcome> {
  const dir = await tools.scratch.createRun();
  let kept = false;
  try {
    await writeFile(join(dir, 'cell.cu'), plan.source);
    const options = {
      nvcc: tools.nvcc,
      dir,
      flags: request.flags,
      executionCount: request.executionCount,
      env: tools.env,
      signal: request.signal,
      reaper: tools.reaper,
      timeoutS: tools.limits.compileSeconds,
      arch: tools.arch,
      extra: { flags: [...SHARED_OBJECT_FLAGS, ...tools.dirs.flatMap((dir) => ['-I', dir])] },
    };
    const compiled = tools.cache
      ? await compileCached(tools.cache, {
          ...options,
          source: plan.source,
          nvccVersion: tools.nvccVersion,
          dirs: tools.dirs,
          skip: Boolean(request.nocache),
          announceHit: Boolean(request.announceHit),
          output: request.output,
        })
      : await compileCell(options);
    if (compiled.status === 'error') return compiled;
    if (compiled.warnings) request.output.stream('stderr', compiled.warnings + '\n');
    kept = true;
    return { status: 'ok', object: compiled.binary, dir };
  } finally {
    if (!kept) await tools.scratch.removeRun(dir);
  }
}
