// `icuda compare`'s logic: bench results of two executed notebooks matched (by cell id and bench
// name, else by name alone when that is unambiguous), each pair's ratio and verdict (faster,
// slower, or the same within the noise of the two), and the environment fields that differ.
import type { BenchResult } from './bench-results.js';

export type Verdict = 'faster' | 'slower' | 'same';

export interface Comparison {
  name: string;
  base: BenchResult;
  next: BenchResult;
  /** new median / base median. */
  ratio: number;
  /** The noise the difference is judged against: the larger relative standard deviation of the two. */
  noise: number;
  verdict: Verdict;
}

export interface CompareReport {
  pairs: Comparison[];
  /** Results in only one notebook. */
  onlyBase: BenchResult[];
  onlyNew: BenchResult[];
  /** "GPU name: A100 -> H100", once per field that differs. */
  environmentChanges: string[];
}

/** The judgement of one pair: a change within the noise of the two is no change. */
export function judge(base: BenchResult, next: BenchResult): Omit<Comparison, 'name' | 'base' | 'next'> {
  const ratio = next.median / base.median;
  const noise = Math.max(base.rsd, next.rsd);
  const verdict: Verdict = Math.abs(ratio - 1) <= noise ? 'same' : ratio < 1 ? 'faster' : 'slower';
  return { ratio, noise, verdict };
}

/** Matches and judges every result. */
export function compare(base: BenchResult[], next: BenchResult[]): CompareReport {
  const byKey = new Map(next.map((r) => [r.key, r]));
  const unique = (list: BenchResult[], name: string) =>
    list.filter((r) => r.name === name).length === 1 ? list.find((r) => r.name === name) : undefined;
  const used = new Set<BenchResult>();
  const pairs: Comparison[] = [];
  const onlyBase: BenchResult[] = [];
  for (const b of base) {
    const n = byKey.get(b.key) ?? unique(next, b.name);
    if (!n || used.has(n)) {
      onlyBase.push(b);
      continue;
    }
    used.add(n);
    pairs.push({ name: b.name, base: b, next: n, ...judge(b, n) });
  }
  const onlyNew = next.filter((n) => !used.has(n));
  return { pairs, onlyBase, onlyNew, environmentChanges: environmentChanges(pairs) };
}

/** The environment fields (GPU, driver, toolchain, flags, clocks) that differ between the notebooks' results. */
function environmentChanges(pairs: Comparison[]): string[] {
  const changes = new Set<string>();
  for (const { name, base, next } of pairs) {
    for (const [label, read] of FIELDS) {
      const [a, b] = [read(base.environment), read(next.environment)];
      if (a !== b)
        changes.add(
          label === 'flags'
            ? `${label} of ${name}: ${a || '(none)'} -> ${b || '(none)'}`
            : `${label}: ${a || '(unknown)'} -> ${b || '(unknown)'}`,
        );
    }
  }
  return [...changes];
}

type Env = Record<string, unknown>;
/** A field as text: strings and numbers as they are, anything else as '?'. */
const text = (value: unknown): string =>
  typeof value === 'string' || typeof value === 'number' ? String(value) : value == null ? '' : '?';
const gpus = (env: Env) => (env.machine as { gpus?: Record<string, unknown>[] } | undefined)?.gpus ?? [];
const gpuField = (field: string) => (env: Env) =>
  gpus(env)
    .map((g) => text(g[field]) || '?')
    .join(', ');

/** The fields compared, with how to read each from a record's environment. */
const FIELDS: [string, (env: Env) => string][] = [
  ['GPU', gpuField('name')],
  ['driver', gpuField('driverVersion')],
  ['max SM clock (MHz)', gpuField('maxSmClockMHz')],
  ['persistence mode', gpuField('persistenceMode')],
  ['nvcc', (env) => text(env.nvccVersion)],
  ['arch', (env) => text(env.arch)],
  ['flags', (env) => (Array.isArray(env.flags) ? env.flags.join(' ') : '')],
  ['host', (env) => String((env.machine as { host?: string } | undefined)?.host ?? '')],
];
