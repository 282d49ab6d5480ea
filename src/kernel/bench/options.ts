// %bench's arguments, parsed: how many runs (exactly, or until the noise is low enough), the
// warm-up, cold runs, the work per repetition, and the result's name and group.
import { DEFAULT_RULE, type StopRule } from './statistics.js';

export interface BenchOptions {
  rule: StopRule;
  warmup: number;
  /** Flush the L2 cache before each repetition (session cells on a GPU). */
  cold: boolean;
  /** Bytes moved and floating-point operations per repetition: C++ expressions in a session
   * cell, numbers (or arithmetic on numbers) in a whole-program cell. */
  bytes?: string;
  flops?: string;
  name?: string;
  group?: string;
}

export const BENCH_USAGE =
  '%bench [-n RUNS] [-w WARMUP] [--min N] [--max N] [--rsd PCT] [--budget S] [--cold] [--bytes EXPR] [--flops EXPR] [--name NAME] [--group NAME]';

/** A whole number in [min, max], or an error quoting what it got. */
function whole(flag: string, value: string | undefined, min: number, max = 1_000_000): number {
  const n = Number(value);
  if (value === undefined || !Number.isInteger(n) || n < min || n > max)
    throw new Error(`expected ${flag} to be a whole number from ${min} to ${max}, got ${JSON.stringify(value ?? '')}`);
  return n;
}

/** A positive number, or an error quoting what it got. */
function positive(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (value === undefined || !Number.isFinite(n) || n <= 0)
    throw new Error(`expected ${flag} to be a positive number, got ${JSON.stringify(value ?? '')}`);
  return n;
}

/** Parses %bench's arguments; -n RUNS means exactly that many (the noise rule is off). */
export function parseBenchOptions(args: readonly string[]): BenchOptions {
  const options: BenchOptions = { rule: { ...DEFAULT_RULE }, warmup: 1, cold: false };
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    const value = (): string | undefined => args[++i];
    if (flag === '-n') options.rule.runs = whole('-n RUNS', value(), 1, 10_000);
    else if (flag === '-w') options.warmup = whole('-w WARMUP', value(), 0, 10_000);
    else if (flag === '--min') options.rule.minRuns = whole('--min', value(), 1);
    else if (flag === '--max') options.rule.maxRuns = whole('--max', value(), 1);
    else if (flag === '--rsd') options.rule.targetRsd = positive('--rsd (percent)', value()) / 100;
    else if (flag === '--budget') options.rule.budgetMs = positive('--budget (seconds)', value()) * 1000;
    else if (flag === '--cold') options.cold = true;
    else if (flag === '--bytes' || flag === '--flops' || flag === '--name' || flag === '--group') {
      const text = value();
      if (!text) throw new Error(`${flag} needs a value`);
      options[flag.slice(2) as 'bytes' | 'flops' | 'name' | 'group'] = text;
    } else throw new Error(`unknown option ${JSON.stringify(flag)}`);
  }
  if (options.rule.minRuns > options.rule.maxRuns) throw new Error(`--min ${options.rule.minRuns} is above --max ${options.rule.maxRuns}`);
  return options;
}
