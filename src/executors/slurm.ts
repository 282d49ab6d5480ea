// The Slurm executor: compile here with nvcc, run the binary as a job step through `srun` with the
// user's options, in a scratch directory on a path the cluster's nodes share. Interrupt and
// timeout cancel the step with scancel, and squeue is asked until nothing of it remains.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { v4 as uuid } from 'uuid';
import type { OutputSink, RunOutcome } from '../engine/outcome.js';
import { cellFile, compileCell } from '../engine/compile/compiler.js';
import { errorOutcome, interrupted, timeoutError, toolchainNotFound } from '../engine/errors.js';
import type { Reaper } from '../engine/run/reaper.js';
import { runProgram } from '../engine/run/runner.js';
import { createScratch } from '../engine/scratch.js';
import type { ProgramLimits } from '../engine/run/limits.js';
import { findToolchain, type ToolchainLookup, type ToolPlaces } from '../engine/toolchain/toolchain.js';
import type { CellJob, Executor, RunContext } from './executor.js';

export interface SlurmOptions {
  /** The environment nvcc, srun and the program inherit. */
  env: NodeJS.ProcessEnv;
  places: ToolPlaces;
  limits: ProgramLimits;
  reaper: Reaper;
  /** srun options: ["-p", "gpu", "--gres=gpu:1"]. */
  srunArgs: string[];
  /** A directory every node sees (the OS temp dir is enough on one node). */
  scratchRoot: string;
}

/** Builds the executor; nvcc is looked up at the first cell. */
export function createSlurmExecutor(options: SlurmOptions): Executor {
  const srunArgs = options.srunArgs;
  const scratch = createScratch({ tmpRoot: options.scratchRoot, onCreate: (dir) => options.reaper.watchDir(dir) });
  let lookup: Promise<ToolchainLookup> | undefined;
  return {
    where: `on Slurm (srun ${srunArgs.join(' ') || 'with the default partition'})`,
    needsLocalToolchain: true,
    sessions:
      'session cells (cells without main) are not supported with the Slurm executor yet: give the cell a main() to run it as a whole program',
    async execute(job, ctx) {
      const found = await (lookup ??= findToolchain(options.places, options.env));
      if (!found.found) {
        lookup = undefined;
        return toolchainNotFound(found.looked);
      }
      const dir = await scratch.createRun();
      try {
        await writeFile(join(dir, 'cell.cu'), cellFile(job.source, job.executionCount));
        for (const file of job.files ?? []) await writeFile(join(dir, file.name), file.content);
        const compiled = await compileCell({
          nvcc: found.toolchain.nvcc,
          dir,
          flags: job.flags,
          executionCount: job.executionCount,
          env: options.env,
          signal: ctx.signal,
          reaper: options.reaper,
          timeoutS: options.limits.compileSeconds,
        });
        if (compiled.status === 'error') return compiled;
        if (compiled.warnings) ctx.output.stream('stderr', compiled.warnings + '\n');
        return await runStep(job, ctx, { ...options, srunArgs, dir, binary: compiled.binary });
      } finally {
        await scratch.removeRun(dir);
      }
    },
  };
}

interface StepOptions {
  env: NodeJS.ProcessEnv;
  limits: ProgramLimits;
  reaper: Reaper;
  srunArgs: string[];
  dir: string;
  binary: string;
}

/** Runs the binary through srun; cancels the step on interrupt or timeout. */
async function runStep(job: CellJob, ctx: RunContext, options: StepOptions): Promise<RunOutcome> {
  const name = `icuda-${uuid()}`;
  const timeoutS = job.timeoutS ?? job.defaultTimeoutS;
  const stop = new AbortController(); // kills srun itself, the last resort
  let why: 'interrupt' | 'timeout' | undefined;
  const cancel = (reason: 'interrupt' | 'timeout') => {
    why ??= reason;
    void cancelStep(name, options.env).finally(() => setTimeout(() => stop.abort(), 3000).unref());
  };
  const onAbort = () => cancel('interrupt');
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  const timer = timeoutS ? setTimeout(() => cancel('timeout'), timeoutS * 1000) : undefined;
  const slurmLines: string[] = [];
  try {
    if (ctx.signal.aborted) return interrupted();
    const output = srunFilter(ctx.output, slurmLines);
    const outcome = await runProgram({
      binary: 'srun',
      args: [`--job-name=${name}`, `--chdir=${options.dir}`, '--unbuffered', ...options.srunArgs, '--', options.binary, ...job.args],
      env: { ...options.env, ...job.env },
      limits: options.limits,
      cwd: options.dir,
      signal: stop.signal,
      output,
      reaper: options.reaper,
    });
    output.end();
    if (why === 'interrupt') return interrupted();
    if (why === 'timeout') return timeoutError(timeoutS!, job.timeoutS ? `%timeout ${timeoutS}` : `ICUDA_TIMEOUT=${timeoutS}`);
    const slurmErrors = slurmLines.filter(
      (line) => /^srun: error:/.test(line) && !/task \d+: (Exited with exit code|Killed|[A-Z][a-z ]+ \(core dumped\))/.test(line),
    );
    if (outcome.status === 'error' && slurmErrors.length > 0)
      return errorOutcome('SlurmError', slurmErrors[0].replace(/^srun: error: /, ''), slurmLines);
    if (outcome.status === 'error' && /could not start/.test(outcome.evalue))
      return errorOutcome('SlurmError', `srun not found: ${outcome.evalue}`);
    return outcome;
  } finally {
    clearTimeout(timer);
    ctx.signal.removeEventListener('abort', onAbort);
    if (why) await waitStepGone(name, options.env);
  }
}

/** The cell's output minus srun's own `srun: ...` lines on stderr, which are kept for the outcome;
 * `end()` passes on a last stderr line that had no newline. */
function srunFilter(output: OutputSink, slurmLines: string[]): OutputSink & { end(): void } {
  let partial = '';
  return {
    ...output,
    stream(name, text) {
      if (name === 'stdout') return output.stream(name, text);
      const lines = (partial + text).split('\n');
      partial = lines.pop()!;
      const kept = lines.filter((line) => (/^srun: /.test(line) ? (slurmLines.push(line), false) : true));
      if (kept.length) output.stream('stderr', kept.map((line) => line + '\n').join(''));
    },
    end() {
      if (partial && !/^srun: /.test(partial)) output.stream('stderr', partial);
      partial = '';
    },
  };
}

/** scancel by the step's unique job name. */
async function cancelStep(name: string, env: NodeJS.ProcessEnv): Promise<void> {
  await execa('scancel', ['--name', name], { env, reject: false, timeout: 10_000, stdin: 'ignore' });
}

/** Asks squeue until no job of that name is left (at most ~15 s). */
export async function waitStepGone(name: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  for (let i = 0; i < 60; i++) {
    const result = await execa('squeue', ['-h', '--name', name, '-o', '%i'], { env, reject: false, timeout: 10_000, stdin: 'ignore' });
    if (result.exitCode === 0 && String(result.stdout).trim() === '') return true;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}
