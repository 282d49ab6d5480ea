// %bench's charts: Vega-Lite (which JupyterLab and Notebook 7 render natively, with tooltips)
// for the repetitions of one result and for a group of results side by side, each with an SVG
// fallback in the same bundle for viewers without Vega (GitHub, nbconvert's HTML).
import type { MimeBundle } from '../../engine/outcome.js';
import { barChart, groupChart } from '../actions/svg-chart.js';
import { MEASURE_WORDS, type BenchRecord } from './record.js';

export const VEGA_LITE = 'application/vnd.vegalite.v5+json';
const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';

/** The repetitions of one result: a bar per run (a line past 60 runs) and the median dashed. */
export function runsSpec(record: BenchRecord): Record<string, unknown> {
  const many = record.samples.length > 60;
  const run = { field: 'run', type: many ? 'quantitative' : 'ordinal', title: 'run' };
  const ms = { field: 'ms', type: 'quantitative', title: `${record.measure} time (ms)` };
  return {
    $schema: SCHEMA,
    title: { text: `${record.name}: ${record.samples.length} runs`, subtitle: MEASURE_WORDS[record.measure] },
    width: 360,
    height: 160,
    data: { values: record.samples.map((value, i) => ({ run: i + 1, ms: value })) },
    layer: [
      { mark: many ? { type: 'line', point: true, tooltip: true } : { type: 'bar', tooltip: true }, encoding: { x: run, y: ms } },
      {
        mark: { type: 'rule', color: '#e45756', strokeDash: [4, 3] },
        encoding: { y: { datum: record.stats.median, type: 'quantitative' } },
      },
    ],
  };
}

/** Several results side by side: the median as a bar, min to max as a rule, all in a tooltip. */
export function groupSpec(group: string, records: readonly BenchRecord[]): Record<string, unknown> {
  const values = records.map((r) => ({
    name: r.name,
    median: r.stats.median,
    min: r.stats.min,
    max: r.stats.max,
    rsd: r.stats.rsd,
    measure: r.measure,
  }));
  const name = { field: 'name', type: 'nominal', title: null, sort: null };
  const tooltip = [
    { field: 'name', type: 'nominal' },
    { field: 'median', type: 'quantitative', format: '.4f', title: 'median (ms)' },
    { field: 'min', type: 'quantitative', format: '.4f', title: 'min (ms)' },
    { field: 'max', type: 'quantitative', format: '.4f', title: 'max (ms)' },
    { field: 'rsd', type: 'quantitative', format: '.1%', title: 'noise (rsd)' },
    { field: 'measure', type: 'nominal' },
  ];
  return {
    $schema: SCHEMA,
    title: {
      text: `${group}: median time of ${records.length} result${records.length === 1 ? '' : 's'}`,
      subtitle: 'bars: median; lines: min to max',
    },
    width: 360,
    data: { values },
    encoding: { y: name },
    layer: [
      { mark: { type: 'bar', color: '#4c78a8' }, encoding: { x: { field: 'median', type: 'quantitative', title: 'ms' }, tooltip } },
      { mark: { type: 'rule', color: '#333' }, encoding: { x: { field: 'min', type: 'quantitative' }, x2: { field: 'max' }, tooltip } },
    ],
  };
}

/** The runs chart as a display bundle: Vega-Lite, SVG fallback, one line of text. */
export function runsBundle(record: BenchRecord): MimeBundle {
  return {
    [VEGA_LITE]: runsSpec(record),
    'image/svg+xml': barChart(record.samples, `${record.name}: ${record.measure} time of ${record.samples.length} runs (ms)`),
    'text/plain': `[chart of ${record.samples.length} run times]`,
  };
}

/** A group's comparison chart as a display bundle. */
export function groupBundle(group: string, records: readonly BenchRecord[]): MimeBundle {
  const rows = records.map((r) => ({ label: r.name, value: r.stats.median, low: r.stats.min, high: r.stats.max }));
  return {
    [VEGA_LITE]: groupSpec(group, records),
    'image/svg+xml': groupChart(rows, `${group}: median time (ms), min to max`),
    'text/plain': `${group}:\n` + records.map((r) => `  ${r.name}  median ${r.stats.median.toFixed(4)} ms`).join('\n'),
  };
}
