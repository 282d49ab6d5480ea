// The %bench results an executed notebook carries: each code cell's outputs whose metadata has
// `icuda.bench` (the record src/kernel/bench writes), with the cell they came from.
import type { Notebook } from './notebook-runner.js';

/** The parts of a bench record that comparing needs (src/kernel/bench/record.ts has all of it). */
export interface BenchResult {
  /** "cell-id:name" (or "#index:name" when the cell has no id). */
  key: string;
  cell: string;
  name: string;
  measure: string;
  median: number;
  rsd: number;
  runs: number;
  environment: Record<string, unknown>;
}

interface RecordLike {
  name?: unknown;
  measure?: unknown;
  stats?: { median?: unknown; rsd?: unknown; runs?: unknown };
  environment?: Record<string, unknown>;
}

/** Every bench result of the notebook, in order. */
export function benchResults(nb: Notebook): BenchResult[] {
  const results: BenchResult[] = [];
  nb.cells.forEach((cell, index) => {
    if (cell.cell_type !== 'code') return;
    const id = typeof cell.id === 'string' ? cell.id : `#${index + 1}`;
    for (const output of cell.outputs ?? []) {
      const metadata = 'metadata' in output ? (output.metadata as { icuda?: { bench?: RecordLike } }) : undefined;
      const record = metadata?.icuda?.bench;
      if (!record || typeof record.name !== 'string' || typeof record.stats?.median !== 'number') continue;
      results.push({
        key: `${id}:${record.name}`,
        cell: id,
        name: record.name,
        measure: typeof record.measure === 'string' ? record.measure : '',
        median: record.stats.median,
        rsd: Number(record.stats.rsd ?? 0),
        runs: Number(record.stats.runs ?? 0),
        environment: record.environment ?? {},
      });
    }
  });
  return results;
}
