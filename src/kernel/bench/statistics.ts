// The statistics of a benchmark's samples and the rule that says when to stop taking them:
// as nvbench and hyperfine do, repeat until the noise (relative standard deviation) is under a
// target, with a minimum and maximum count and a time budget.

export interface Stats {
  runs: number;
  min: number;
  median: number;
  mean: number;
  max: number;
  /** Sample standard deviation. */
  stddev: number;
  /** Relative standard deviation: stddev / mean (0 for a single sample). */
  rsd: number;
}

/** min, median, mean, max, sample standard deviation and its relative size. */
export function statistics(values: readonly number[]): Stats {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const mean = sorted.reduce((a, b) => a + b, 0) / n;
  const median = n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  const variance = n > 1 ? sorted.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (n - 1) : 0;
  const stddev = Math.sqrt(variance);
  return { runs: n, min: sorted[0], median, mean, max: sorted[n - 1], stddev, rsd: mean > 0 ? stddev / mean : 0 };
}

/** When to stop: after exactly `runs`, or between min and max once the noise is under target or the budget is spent. */
export interface StopRule {
  /** Exactly this many (the noise rule is off). */
  runs?: number;
  minRuns: number;
  maxRuns: number;
  /** Target relative standard deviation, as a fraction (0.02 for 2 %). */
  targetRsd: number;
  /** Time budget for the measured runs, in milliseconds. */
  budgetMs: number;
}

/** Why the measurement stopped. */
export type StopReason = 'exact' | 'noise' | 'budget' | 'max';

export const DEFAULT_RULE: StopRule = { minRuns: 10, maxRuns: 1000, targetRsd: 0.02, budgetMs: 5000 };

/** The reason to stop after these samples and this much time, or undefined to take another. */
export function stopReason(samples: readonly number[], elapsedMs: number, rule: StopRule): StopReason | undefined {
  const n = samples.length;
  if (rule.runs !== undefined) return n >= rule.runs ? 'exact' : undefined;
  if (n >= rule.maxRuns) return 'max';
  if (n < rule.minRuns) return undefined; // the minimum is taken whatever the budget
  if (statistics(samples).rsd <= rule.targetRsd) return 'noise';
  return elapsedMs >= rule.budgetMs ? 'budget' : undefined;
}
