// %time and %bench: wall time of the compile and of the runs, statistics, a table and a chart.
import { performance } from 'node:perf_hooks';
import type { ExecuteOutcome, MimeBundle, OutputSink } from '../../protocol/interpreter.js';
import { barChart, escapeXml } from './svg-chart.js';

/** Runs the compiled program once, its output going to `output`. */
export type RunOnce = (output: OutputSink) => Promise<ExecuteOutcome>;

export interface Stats {
  runs: number;
  min: number;
  median: number;
  mean: number;
  max: number;
  stddev: number;
}

/** Milliseconds `work` took, with its result. */
export async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const result = await work();
  return [result, performance.now() - start];
}

/** "12.3 ms", "1.23 s". */
export function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms >= 100 ? 0 : 1)} ms`;
}

/** min, median, mean, max and sample standard deviation. */
export function statistics(values: number[]): Stats {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const mean = sorted.reduce((a, b) => a + b, 0) / n;
  const median = n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  const variance = n > 1 ? sorted.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (n - 1) : 0;
  return { runs: n, min: sorted[0], median, mean, max: sorted[n - 1], stddev: Math.sqrt(variance) };
}

/** An OutputSink that drops streams (runs after the first are not shown). */
export function quiet(output: OutputSink): OutputSink {
  return { ...output, stream: () => undefined, flush: () => output.flush() };
}

/** %bench: the first run's output is shown, later runs' output dropped; a failing run ends the bench with its error. */
export async function bench(runOnce: RunOnce, runs: number, warmup: number, output: OutputSink): Promise<ExecuteOutcome> {
  const times: number[] = [];
  for (let i = 0; i < warmup + runs; i++) {
    const [outcome, ms] = await timed(() => runOnce(i === 0 ? output : quiet(output)));
    if (outcome.status === 'error') {
      return { ...outcome, evalue: `${i < warmup ? 'warm-up' : 'bench'} run ${i + 1} of ${warmup + runs}: ${outcome.evalue}` };
    }
    if (i >= warmup) times.push(ms);
  }
  output.display(statsBundle(statistics(times), warmup));
  output.display({ 'image/svg+xml': barChart(times, `wall time of ${runs} runs (ms)`), 'text/plain': `[chart of ${runs} run times]` });
  return { status: 'ok' };
}

/** The statistics as an HTML table with a plain-text fallback. */
export function statsBundle(stats: Stats, warmup: number): MimeBundle {
  const rows: [string, string][] = [
    ['min', formatMs(stats.min)],
    ['median', formatMs(stats.median)],
    ['mean', formatMs(stats.mean)],
    ['max', formatMs(stats.max)],
    ['stddev', formatMs(stats.stddev)],
  ];
  const caption = `${stats.runs} runs after ${warmup} warm-up, wall time per run (process start to exit)`;
  return {
    'text/plain': `${caption}\n${rows.map(([k, v]) => `${k.padEnd(7)} ${v}`).join('\n')}`,
    'text/html': htmlTable(caption, ['statistic', 'wall time'], rows),
  };
}

/** A small HTML table. */
export function htmlTable(caption: string, head: string[], rows: string[][]): string {
  const cells = (tag: string, row: string[]) => `<tr>${row.map((c) => `<${tag}>${escapeXml(c)}</${tag}>`).join('')}</tr>`;
  return `<table><caption>${escapeXml(caption)}</caption><thead>${cells('th', head)}</thead><tbody>${rows.map((r) => cells('td', r)).join('')}</tbody></table>`;
}

/** A plain-text table with aligned columns. */
export function textTable(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (row: string[]) =>
    row
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map(line)].join('\n');
}
