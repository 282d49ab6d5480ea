// What a plan means for a session cell: the magics that only fit a whole program, the flags the
// session compiles with (%check is the runner's, not a link flag), and error text rid of the
// scratch paths a cell was built in.
import { CHECK_FLAGS } from '../engine/compile/program-hooks.js';
import type { ErrorOutcome } from '../engine/outcome.js';
import type { Plan } from './magics/plan.js';

/** The magics a plan uses that apply only to cells with main(), as a MagicError's message; else undefined. */
export function unfitMagics(plan: Plan): string | undefined {
  const used = [
    plan.args.length > 0 ? '%args' : '',
    Object.keys(plan.env).length > 0 ? '%env' : '',
    plan.keep ? '%keep' : '',
    plan.sources?.length ? '%sources' : '',
    plan.mode?.kind === 'profile' ? '%profile' : '',
    plan.mode?.kind === 'sanitize' ? '%sanitize' : '',
  ].filter(Boolean);
  if (used.length === 0) return undefined;
  const list = used.length === 1 ? used[0] : `${used.slice(0, -1).join(', ')} and ${used.at(-1)}`;
  return (
    `${list} ${used.length === 1 ? 'applies' : 'apply'} to cells with main() (whole programs); this cell has no main(), ` +
    "so it is a session cell, whose statements run in the session's long-lived runner. Give the cell a main() to use " +
    (used.length === 1 ? 'it' : 'them')
  );
}

/** Session flags, then the cell's own, without the link flags of %check (the runner checks launches itself). */
export function sessionFlags(defaults: readonly string[], plan: Plan): string[] {
  const flags = [...defaults, ...plan.flags];
  if (!plan.check) return flags;
  const at = flags.findIndex((_, i) => CHECK_FLAGS.every((flag, j) => flags[i + j] === flag));
  if (at >= 0) flags.splice(at, CHECK_FLAGS.length);
  return flags;
}

/** A kernel scratch run directory (…/icuda-PID-XXXXXX/runs/UUID/), and nvcc's temp file prefix. */
const SCRATCH_RUN = /(?:\/[^\s'"`:()]*)?\/icuda-\d+-[A-Za-z0-9]+\/runs\/[0-9a-f-]+\//g;
const NVCC_TEMP = /tmpxft_[0-9a-f]+_[0-9a-f]+-\d+_/g;

/** Text without the scratch paths it was made in: the kernel's own (`kernelDir`, whatever characters
 * it holds), or any that looks like one. */
export function scrubPaths(text: string, kernelDir?: string): string {
  const own = kernelDir ? text.replace(new RegExp(`${kernelDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/runs/[0-9a-f-]+/`, 'g'), '') : text;
  return own.replace(SCRATCH_RUN, '').replace(NVCC_TEMP, '');
}

/** An error whose value and traceback name no scratch path. */
export function withoutScratchPaths(error: ErrorOutcome, kernelDir?: string): ErrorOutcome {
  const scrub = (text: string) => scrubPaths(text, kernelDir);
  return { ...error, evalue: scrub(error.evalue), traceback: error.traceback.map(scrub) };
}
