// The repetition loop of %bench: warm-up runs, then measured runs until the stop rule says
// enough. Only the first run's output is shown; a failing run ends the bench with its error.
import { performance } from 'node:perf_hooks';
import type { ErrorOutcome, RunOutcome } from '../../engine/outcome.js';
import { stopReason, type StopReason, type StopRule } from './statistics.js';

/** One repetition: how it ended and what it measured (ms). */
export interface Repetition {
  outcome: RunOutcome;
  /** The measured time: GPU time when the events worked, else host time. */
  ms: number;
  /** Host time, when `ms` is a GPU time. */
  hostMs?: number;
}

/** Runs repetition `index` (0-based, warm-up included); `show` says whether its output is shown. */
export type Repeat = (index: number, show: boolean) => Promise<Repetition>;

export interface Measured {
  samples: number[];
  hostSamples: number[];
  reason: StopReason;
}

/** Warm-up, then measured repetitions until the rule stops them; a failed one is the bench's error. */
export async function measure(repeat: Repeat, warmup: number, rule: StopRule, signal: AbortSignal): Promise<Measured | ErrorOutcome> {
  const samples: number[] = [];
  const hostSamples: number[] = [];
  let started = 0;
  for (let i = 0; ; i++) {
    if (i === warmup) started = performance.now();
    const rep = await repeat(i, i === 0);
    if (rep.outcome.status === 'error') return { ...rep.outcome, evalue: `${describeRun(i, warmup, rule)}: ${rep.outcome.evalue}` };
    if (signal.aborted)
      return {
        status: 'error',
        ename: 'Interrupted',
        evalue: 'interrupted by the user',
        traceback: ['Interrupted: interrupted by the user'],
      };
    if (i < warmup) continue;
    samples.push(rep.ms);
    if (rep.hostMs !== undefined) hostSamples.push(rep.hostMs);
    const reason = stopReason(samples, performance.now() - started, rule);
    if (reason) return { samples, hostSamples, reason };
  }
}

/** "warm-up run 1 of 6", "bench run 4 of 6", "bench run 12". */
function describeRun(index: number, warmup: number, rule: StopRule): string {
  const total = rule.runs !== undefined ? ` of ${warmup + rule.runs}` : '';
  return `${index < warmup ? 'warm-up' : 'bench'} run ${index + 1}${total}`;
}
