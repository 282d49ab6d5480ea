// `icuda compare BASE.ipynb NEW.ipynb`: the bench results of two executed notebooks side by
// side (name, base, new, ratio, noise of each, verdict), warnings when their environments
// differ, as text, Markdown or JSON; exit 1 when something slowed down beyond --fail-above.
import { benchResults } from '../client/bench-results.js';
import { compare, type CompareReport } from '../client/compare.js';
import { readNotebook } from '../client/notebook-file.js';
import type { CompareOptions } from './options.js';

/** Compares; 0, or 1 when a result slowed down past the threshold. */
export async function run(options: CompareOptions): Promise<number> {
  const [basePath, newPath] = options.args;
  if (!basePath || !newPath || options.args.length !== 2) throw new Error('compare needs two notebooks: BASE.ipynb NEW.ipynb');
  const [base, next] = await Promise.all([readNotebook(basePath), readNotebook(newPath)]);
  const report = compare(benchResults(base), benchResults(next));
  const failing = report.pairs.filter((p) => p.verdict === 'slower' && options.failAbove !== undefined && p.ratio - 1 > options.failAbove);
  const text =
    options.format === 'json' ? JSON.stringify(jsonOf(report, failing.length), null, 2) + '\n' : render(report, options.format === 'md');
  process.stdout.write(text);
  if (report.pairs.length === 0) process.stderr.write('icuda compare: no %bench result is in both notebooks\n');
  if (failing.length)
    process.stderr.write(
      `icuda compare: ${failing.length} result(s) slower by more than ${pct(options.failAbove!)}: ${failing.map((p) => p.name).join(', ')}\n`,
    );
  return failing.length ? 1 : 0;
}

/** "+4.1 %", "-12.0 %". */
const change = (ratio: number) => `${ratio >= 1 ? '+' : ''}${((ratio - 1) * 100).toFixed(1)} %`;
const pct = (fraction: number) => `${(fraction * 100).toFixed(1)} %`;
const ms = (value: number) => (value >= 1 ? `${value.toFixed(3)} ms` : `${(value * 1000).toFixed(2)} µs`);

/** The report as an aligned text table or a Markdown table, then the warnings. */
function render(report: CompareReport, markdown: boolean): string {
  const head = ['name', 'base', 'new', 'change', 'noise (base / new)', 'verdict'];
  const rows = report.pairs.map((p) => [
    p.name,
    ms(p.base.median),
    ms(p.next.median),
    change(p.ratio),
    `${pct(p.base.rsd)} / ${pct(p.next.rsd)}`,
    p.verdict === 'same' ? 'same within noise' : p.verdict,
  ]);
  const notes = [
    ...report.onlyBase.map((r) => `only in BASE: ${r.name} (${r.cell})`),
    ...report.onlyNew.map((r) => `only in NEW: ${r.name} (${r.cell})`),
    ...report.environmentChanges.map((c) => `environment differs: ${c}`),
  ];
  if (markdown) {
    const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
    return [line(head), line(head.map(() => '---')), ...rows.map(line), '', ...notes.map((n) => `- ${n}`)].join('\n').trimEnd() + '\n';
  }
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map(line), ...(notes.length ? ['', ...notes.map((n) => `warning: ${n}`)] : [])].join('\n') + '\n';
}

/** The report as JSON. */
function jsonOf(report: CompareReport, failing: number): Record<string, unknown> {
  return {
    results: report.pairs.map((p) => ({
      name: p.name,
      cell: p.base.cell,
      base: { median_ms: p.base.median, rsd: p.base.rsd, runs: p.base.runs, measure: p.base.measure },
      new: { median_ms: p.next.median, rsd: p.next.rsd, runs: p.next.runs, measure: p.next.measure },
      ratio: p.ratio,
      noise: p.noise,
      verdict: p.verdict,
    })),
    only_base: report.onlyBase.map((r) => r.name),
    only_new: report.onlyNew.map((r) => r.name),
    environment_changes: report.environmentChanges,
    failing,
  };
}
