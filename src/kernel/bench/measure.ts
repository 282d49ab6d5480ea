// The repetition loop of %bench: warm-up runs, then measured runs until the stop rule says
// enough. A target runs one repetition at a time (a program) or batches of them (a session cell,
// where a round trip per repetition would cost more than a short kernel); the rule is applied
// after each repetition either way, so it decides the count alike. Only the first run's output is
// shown; a failing run ends the bench with its error.
import { performance } from 'node:perf_hooks';
import type { ErrorOutcome, RunOutcome } from '../../engine/outcome.js';
import { statistics, stopReason, type StopReason, type StopRule } from './statistics.js';

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

/** Repetitions `first` to `first + count - 1` that completed, and the error that stopped the rest. */
export interface Batch {
  reps: { ms: number; hostMs?: number }[];
  error?: ErrorOutcome;
}

/** Runs `count` repetitions from `first` (the first of all is the one shown). */
export type RepeatBatch = (first: number, count: number) => Promise<Batch>;

/** The most repetitions one batch asks for, and the time it should take at most. */
const BATCH_MAX = 100;
const BATCH_MS = 250;

export interface Measured {
  samples: number[];
  hostSamples: number[];
  reason: StopReason;
}

/** One repetition at a time: a Repeat as batches of one. */
export function oneByOne(repeat: Repeat): RepeatBatch {
  return async (first) => {
    const rep = await repeat(first, first === 0);
    return rep.outcome.status === 'error' ? { reps: [], error: rep.outcome } : { reps: [{ ms: rep.ms, hostMs: rep.hostMs }] };
  };
}

/** Warm-up, then measured repetitions until the rule stops them; a failed one is the bench's error.
 * `batched`: repetitions are asked for in batches sized by the rule and the times so far. */
export async function measure(
  run: RepeatBatch,
  warmup: number,
  rule: StopRule,
  signal: AbortSignal,
  batched = false,
): Promise<Measured | ErrorOutcome> {
  const samples: number[] = [];
  const hostSamples: number[] = [];
  for (let done = 0; done < warmup;) {
    const count = batched ? warmup - done : 1;
    const batch = await run(done, count);
    if (batch.error) return failed(batch.error, done + batch.reps.length, warmup, rule);
    if (signal.aborted) return interruptedNow();
    done += count;
  }
  const started = performance.now();
  for (let index = warmup; ;) {
    const elapsed = performance.now() - started;
    const count = batched ? batchSize(samples, hostSamples, elapsed, rule) : 1;
    const batch = await run(index, count);
    let spent = elapsed;
    for (const rep of batch.reps) {
      samples.push(rep.ms);
      if (rep.hostMs !== undefined) hostSamples.push(rep.hostMs);
      spent = batched ? spent + (rep.hostMs ?? rep.ms) : performance.now() - started;
      const reason = stopReason(samples, spent, rule);
      if (reason) return { samples, hostSamples, reason };
    }
    if (batch.error) return failed(batch.error, index + batch.reps.length, warmup, rule);
    if (signal.aborted) return interruptedNow();
    index += count;
  }
}

/** How many repetitions to ask for next: what the rule needs at least, else what fits the budget. */
export function batchSize(samples: readonly number[], hostSamples: readonly number[], elapsedMs: number, rule: StopRule): number {
  const n = samples.length;
  if (rule.runs !== undefined) return Math.max(1, Math.min(rule.runs - n, BATCH_MAX));
  if (n < rule.minRuns) return Math.min(rule.minRuns - n, BATCH_MAX);
  const per = Math.max(statistics(hostSamples.length ? hostSamples : samples).median, 1e-3);
  const budget = Math.min(Math.max(rule.budgetMs - elapsedMs, 0) / 4, BATCH_MS);
  return Math.max(1, Math.min(Math.floor(budget / per), rule.maxRuns - n, BATCH_MAX));
}

/** A failed repetition as the bench's error, naming which one. */
function failed(error: ErrorOutcome, index: number, warmup: number, rule: StopRule): ErrorOutcome {
  return { ...error, evalue: `${describeRun(index, warmup, rule)}: ${error.evalue}` };
}

/** The user interrupted between repetitions. */
function interruptedNow(): ErrorOutcome {
  return { status: 'error', ename: 'Interrupted', evalue: 'interrupted by the user', traceback: ['Interrupted: interrupted by the user'] };
}

/** "warm-up run 1 of 6", "bench run 4 of 6", "bench run 12". */
function describeRun(index: number, warmup: number, rule: StopRule): string {
  const total = rule.runs !== undefined ? ` of ${warmup + rule.runs}` : '';
  return `${index < warmup ? 'warm-up' : 'bench'} run ${index + 1}${total}`;
}
