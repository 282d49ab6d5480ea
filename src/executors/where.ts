// Where cells run, in words, from the settings alone: the banner of a kernel whose executor is
// not made yet (the interpreter loads after the first reply, kernel/deferred-interpreter.ts).
// chooseExecutor's executors say the same (test/unit/executors/where.test.ts).
import { split } from 'shlex';
import type { Settings } from '../settings/settings.js';

/** "on this machine", "on HOST (remote GPU host)", "on Slurm (srun ...)", or "nowhere (why)". */
export function whereCellsRun(s: Settings): string {
  const bad = executorSettingError(s);
  if (bad) return `nowhere (${bad})`;
  if (s.executor === 'remote') return `on ${s.host} (remote GPU host)`;
  if (s.executor === 'slurm') return `on Slurm (srun ${split(s.slurmArgs).join(' ') || 'with the default partition'})`;
  return 'on this machine';
}

/** Why the executor settings cannot be used, or undefined. */
export function executorSettingError(s: Settings): string | undefined {
  const bad = s.errors.find((e) => /^ICUDA_(EXECUTOR|HOST|TLS|SLURM)/.test(e));
  if (bad) return bad;
  if (s.executor === 'remote' && !s.host) return 'ICUDA_EXECUTOR=remote needs ICUDA_HOST=HOST:PORT';
  if (s.executor === 'slurm') return slurmArgsError(s.slurmArgs);
  return undefined;
}

/** ICUDA_SLURM_ARGS split like a shell would; unbalanced quotes are an error naming the setting. */
export function slurmArgs(text: string): string[] {
  const problem = slurmArgsError(text);
  if (problem) throw new Error(problem);
  return split(text);
}

/** Why ICUDA_SLURM_ARGS cannot be split into srun options, or undefined. */
function slurmArgsError(text: string): string | undefined {
  try {
    split(text);
    return undefined;
  } catch (error) {
    return `ICUDA_SLURM_ARGS=${JSON.stringify(text)} cannot be split into srun options: ${(error as Error).message}`;
  }
}
