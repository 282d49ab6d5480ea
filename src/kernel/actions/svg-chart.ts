// A small inline SVG bar chart of run times, for %bench: one bar per run, the mean as a line.

/** Escapes text for XML. */
export function escapeXml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => `&${({ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' } as Record<string, string>)[c]};`,
  );
}

/** An SVG of `values` (milliseconds) as bars, with a y-axis maximum label and the mean dashed. */
export function barChart(values: number[], title: string): string {
  const [width, height, left, top, bottom] = [360, 160, 48, 22, 20];
  const plotW = width - left - 8;
  const plotH = height - top - bottom;
  const max = Math.max(...values, 1e-9);
  const mean = values.reduce((a, b) => a + b, 0) / Math.max(values.length, 1);
  const step = plotW / Math.max(values.length, 1);
  const y = (v: number) => top + plotH - (v / max) * plotH;
  const bars = values.map(
    (v, i) =>
      `<rect x="${(left + i * step + step * 0.1).toFixed(1)}" y="${y(v).toFixed(1)}" ` +
      `width="${Math.max(step * 0.8, 0.5).toFixed(1)}" height="${(top + plotH - y(v)).toFixed(1)}" fill="#4c78a8"><title>run ${i + 1}: ${v.toFixed(3)} ms</title></rect>`,
  );
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="10">`,
    `<text x="${left}" y="12">${escapeXml(title)}</text>`,
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotH}" stroke="#888"/>`,
    `<line x1="${left}" y1="${top + plotH}" x2="${width - 8}" y2="${top + plotH}" stroke="#888"/>`,
    `<text x="${left - 4}" y="${top + 4}" text-anchor="end">${max.toFixed(2)}</text>`,
    `<text x="${left - 4}" y="${top + plotH}" text-anchor="end">0 ms</text>`,
    ...bars,
    `<line x1="${left}" y1="${y(mean).toFixed(1)}" x2="${width - 8}" y2="${y(mean).toFixed(1)}" stroke="#e45756" stroke-dasharray="4 3"><title>mean ${mean.toFixed(3)} ms</title></line>`,
    `<text x="${width / 2}" y="${height - 4}" text-anchor="middle">run</text>`,
    '</svg>',
  ].join('\n');
}

/** One row of a group chart: a label, a median, and its min and max. */
export interface GroupRow {
  label: string;
  value: number;
  low: number;
  high: number;
}

/** An SVG of horizontal bars (the medians) with min-to-max whiskers, one row per result. */
export function groupChart(rows: readonly GroupRow[], title: string): string {
  const [width, left, top, rowH] = [420, 120, 24, 22];
  const height = top + rows.length * rowH + 22;
  const plotW = width - left - 12;
  const max = Math.max(...rows.map((r) => r.high), 1e-9);
  const x = (v: number) => left + (v / max) * plotW;
  const parts = rows.flatMap((r, i) => {
    const y = top + i * rowH;
    const tip = `<title>${escapeXml(r.label)}: median ${r.value.toFixed(4)} ms (min ${r.low.toFixed(4)}, max ${r.high.toFixed(4)})</title>`;
    return [
      `<text x="${left - 6}" y="${y + 14}" text-anchor="end">${escapeXml(r.label)}</text>`,
      `<rect x="${left}" y="${y + 3}" width="${(x(r.value) - left).toFixed(1)}" height="${rowH - 8}" fill="#4c78a8">${tip}</rect>`,
      `<line x1="${x(r.low).toFixed(1)}" y1="${y + 10}" x2="${x(r.high).toFixed(1)}" y2="${y + 10}" stroke="#333"/>`,
    ];
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="10">`,
    `<text x="8" y="14">${escapeXml(title)}</text>`,
    ...parts,
    `<line x1="${left}" y1="${height - 18}" x2="${width - 12}" y2="${height - 18}" stroke="#888"/>`,
    `<text x="${left}" y="${height - 6}">0</text>`,
    `<text x="${width - 12}" y="${height - 6}" text-anchor="end">${max.toFixed(3)} ms</text>`,
    '</svg>',
  ].join('\n');
}
