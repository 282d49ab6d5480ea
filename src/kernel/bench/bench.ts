// %bench, end to end: the environment at the start, the repetitions (measure.ts), the clocks at
// the end, the record, and what is shown: the statistics table carrying the record, warnings,
// the runs chart, and the group's comparison chart (kept up to date in earlier cells too).
import type { ErrorOutcome, OutputSink, RunOutcome } from '../../engine/outcome.js';
import { quiet } from '../actions/tables.js';
import { evaluate } from './arith.js';
import { groupBundle, runsBundle } from './charts.js';
import { measure, oneByOne, type Repeat, type RepeatBatch } from './measure.js';
import type { BenchOptions } from './options.js';
import { achieved, clockWarnings, type BenchEnvironment, type BenchRecord, type CudaRecord, type Measure } from './record.js';
import { resultBundle, warningText } from './report.js';
import { statistics } from './statistics.js';

/** What a bench needs of the kernel. */
export interface BenchDeps {
  output: OutputSink;
  signal: AbortSignal;
  /** The environment now (machine, clocks, toolchain, flags). */
  environment(): Promise<BenchEnvironment>;
  /** Results collected by --group, across cells. */
  groups: Map<string, BenchRecord[]>;
}

/** The repetitions to time, and what their samples measure. */
export interface BenchTarget {
  /** One repetition at a time (a program's run)... */
  repeat?: Repeat;
  /** ...or batches of them (a session cell's statements, in its runner). */
  batch?: RepeatBatch;
  /** What the samples turned out to measure (GPU time may turn out unavailable). */
  measure(): Measure;
  /** Work per repetition, evaluated in the cell's context when it can be (session cells). */
  work?(): Promise<{ bytes?: number; flops?: number } | ErrorOutcome>;
  /** Warnings the target gathered (e.g. why GPU times are unavailable). */
  notes?(): string[];
  /** The CUDA runtime and driver the repetitions ran under, when the target can tell. */
  cuda?(): CudaRecord;
}

/** Times a whole-program cell: each run's process wall time, output shown for the first. */
export function programTarget(runWith: (sink: OutputSink) => Promise<RunOutcome>, options: BenchOptions, output: OutputSink): BenchTarget {
  return {
    async repeat(_index, show) {
      const started = performance.now();
      const outcome = await runWith(show ? output : quiet(output));
      return { outcome, ms: performance.now() - started };
    },
    measure: () => 'process',
    work: async () => {
      try {
        return {
          bytes: options.bytes === undefined ? undefined : evaluate(options.bytes),
          flops: options.flops === undefined ? undefined : evaluate(options.flops),
        };
      } catch (error) {
        return { status: 'error', ename: 'MagicError', evalue: `%bench: ${(error as Error).message}`, traceback: [] };
      }
    },
  };
}

/** Runs the bench and shows its result; the outcome is the first failed run's error, else ok. */
export async function runBench(target: BenchTarget, options: BenchOptions, name: string, deps: BenchDeps): Promise<RunOutcome> {
  const work = (await target.work?.()) ?? {};
  if ('status' in work) return { ...work, traceback: [`${work.ename}: ${work.evalue}`] };
  const before = await deps.environment();
  const run = target.batch ?? oneByOne(target.repeat!);
  const measured = await measure(run, options.warmup, options.rule, deps.signal, Boolean(target.batch));
  if ('status' in measured) return measured;
  const after = await deps.environment();
  const cuda = target.cuda?.();
  const environment: BenchEnvironment = {
    ...before,
    ...(cuda ? { cuda } : {}),
    clocksAtEnd: { smClockMHz: after.machine.gpus.map((g) => g.smClockMHz), memClockMHz: after.machine.gpus.map((g) => g.memClockMHz) },
  };
  const stats = statistics(measured.samples);
  const record: BenchRecord = {
    name: options.name ?? name,
    group: options.group,
    measure: target.measure(),
    unit: 'ms',
    samples: measured.samples,
    ...(measured.hostSamples.length ? { hostSamples: measured.hostSamples } : {}),
    warmup: options.warmup,
    stats,
    stop: { reason: measured.reason, rule: options.rule },
    cold: options.cold,
    // host times of a cell whose GPU work could not run say nothing of bandwidth
    work: target.measure() === 'host' ? work : achieved(work, stats.median, cuda?.peakBandwidthGBs ?? undefined),
    warnings: [],
    environment,
  };
  record.warnings.push(...(target.notes?.() ?? []), ...noiseWarnings(record), ...clockWarnings(environment));
  show(record, deps);
  return { status: 'ok' };
}

/** The noise target not reached: how far, and what would help. */
function noiseWarnings(record: BenchRecord): string[] {
  const { rule, reason } = record.stop;
  if (reason === 'exact' || reason === 'noise' || record.stats.rsd <= rule.targetRsd) return [];
  const spent = reason === 'budget' ? `the ${rule.budgetMs / 1000} s budget` : `the maximum of ${rule.maxRuns} runs`;
  return [
    `the noise stayed at ${(record.stats.rsd * 100).toFixed(1)} %, above the ${Number((rule.targetRsd * 100).toPrecision(3))} % target, after ${spent}: give it more (--budget, --max) or a quieter machine`,
  ];
}

/** The table (with the record), the warnings, the runs chart and the group chart. */
function show(record: BenchRecord, deps: BenchDeps): void {
  const { data, metadata } = resultBundle(record);
  deps.output.display(data, metadata);
  if (record.warnings.length) deps.output.stream('stderr', warningText(record));
  deps.output.display(runsBundle(record));
  if (!record.group) return;
  const members = (deps.groups.get(record.group) ?? []).filter((r) => r.name !== record.name);
  members.push(record);
  deps.groups.set(record.group, members);
  const id = `icuda-bench-group-${record.group}`;
  const chart = groupBundle(record.group, members);
  deps.output.updateDisplay(id, chart);
  deps.output.display(chart, {}, id);
}
