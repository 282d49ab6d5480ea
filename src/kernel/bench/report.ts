// How a %bench result is shown: a table of its statistics (HTML with a text fallback) whose
// output metadata carries the whole record (`icuda.bench`), its warnings on stderr, and its
// charts.
import type { MimeBundle } from '../../engine/outcome.js';
import { formatMs, htmlTable } from '../actions/tables.js';
import { MEASURE_WORDS, type BenchRecord, type BenchWork } from './record.js';

const STOP_WORDS = {
  exact: 'the runs asked for',
  noise: 'noise under target',
  budget: 'time budget spent',
  max: 'maximum count reached',
} as const;

/** The table's rows: statistic and value. */
function rows(record: BenchRecord): [string, string][] {
  const s = record.stats;
  const rows: [string, string][] = [
    ['min', formatMs(s.min)],
    ['median', formatMs(s.median)],
    ['mean', formatMs(s.mean)],
    ['max', formatMs(s.max)],
    ['stddev', formatMs(s.stddev)],
    ['noise', `${(s.rsd * 100).toFixed(2)} % (rsd)`],
  ];
  const work = record.work;
  if (work?.bandwidthGBs !== undefined) rows.push(['bandwidth', `${work.bandwidthGBs.toFixed(2)} GB/s${ofPeak(work)}`]);
  if (record.work?.gflops !== undefined) rows.push(['throughput', `${record.work.gflops.toFixed(2)} GFLOP/s`]);
  return rows;
}

/** " (62.0 % of the 4800 GB/s peak)" when the peak is known. */
function ofPeak(work: BenchWork): string {
  if (work.fractionOfPeak === undefined || work.peakBandwidthGBs === undefined) return '';
  return ` (${(work.fractionOfPeak * 100).toFixed(1)} % of the ${work.peakBandwidthGBs.toFixed(0)} GB/s peak)`;
}

/** The statistics as a table bundle, and the record as its metadata. */
export function resultBundle(record: BenchRecord): { data: MimeBundle; metadata: Record<string, unknown> } {
  const table = rows(record);
  const stop = `stopped: ${STOP_WORDS[record.stop.reason]}`;
  const caption = `${record.stats.runs} runs after ${record.warmup} warm-up, ${MEASURE_WORDS[record.measure]}; ${stop}${record.cold ? '; cold (L2 flushed)' : ''}`;
  return {
    data: {
      'text/plain': `${caption}\n${table.map(([k, v]) => `${k.padEnd(10)} ${v}`).join('\n')}`,
      'text/html': htmlTable(`${record.name}: ${caption}`, ['statistic', 'value'], table),
    },
    metadata: { icuda: { bench: record } },
  };
}

/** Warnings as stderr lines. */
export function warningText(record: BenchRecord): string {
  return record.warnings.map((w) => `icuda %bench: ${w}\n`).join('');
}
