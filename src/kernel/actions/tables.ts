// Small helpers the notebook actions share: timing a step, formatting a duration, tables as
// HTML and as aligned text, and a sink that hides a run's output.
import { performance } from 'node:perf_hooks';
import type { OutputSink } from '../../engine/outcome.js';
import { escapeXml } from './svg-chart.js';

/** Milliseconds `work` took, with its result. */
export async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const result = await work();
  return [result, performance.now() - start];
}

/** "12.3 ms", "1.23 s"; below a millisecond "12.3 µs" or "45 ns" (GPU times are that short). */
export function formatMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 1 || ms === 0) return `${ms.toFixed(ms >= 100 ? 0 : 1)} ms`;
  const us = ms * 1000;
  return us >= 1 ? `${us.toFixed(us >= 100 ? 0 : 1)} µs` : `${(us * 1000).toFixed(0)} ns`;
}

/** An OutputSink that drops streams (runs after the first are not shown). */
export function quiet(output: OutputSink): OutputSink {
  return { ...output, stream: () => undefined, flush: () => output.flush() };
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
