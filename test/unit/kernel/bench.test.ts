// %bench's parts on known data: the stopping rule, the statistics, work evaluated from
// arithmetic, the record's achieved bandwidth, clock warnings, and the charts (the Vega-Lite
// specs compiled by vega-lite itself, the SVG fallbacks checked).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compile } from 'vega-lite';
import { evaluate } from '../../../src/kernel/bench/arith.js';
import { groupBundle, groupSpec, runsBundle, runsSpec, VEGA_LITE } from '../../../src/kernel/bench/charts.js';
import { achieved, clockWarnings, type BenchEnvironment, type BenchRecord } from '../../../src/kernel/bench/record.js';
import { DEFAULT_RULE, statistics, stopReason, type StopRule } from '../../../src/kernel/bench/statistics.js';

const rule = (extra: Partial<StopRule> = {}): StopRule => ({
  ...DEFAULT_RULE,
  minRuns: 5,
  maxRuns: 50,
  targetRsd: 0.02,
  budgetMs: 1000,
  ...extra,
});
const steady = [10, 10.1, 9.9, 10, 10.05];
const noisy = [10, 14, 7, 12, 9];

describe('the stopping rule', () => {
  test('never before the minimum; then when the noise is under target', () => {
    assert.equal(stopReason(steady.slice(0, 4), 0, rule()), undefined);
    assert.equal(stopReason(steady, 0, rule()), 'noise');
    assert.ok(statistics(steady).rsd < 0.02);
  });
  test('noisy samples go on until the budget or the maximum', () => {
    assert.ok(statistics(noisy).rsd > 0.2);
    assert.equal(stopReason(noisy, 10, rule()), undefined);
    assert.equal(stopReason(noisy, 1000, rule()), 'budget');
    assert.equal(
      stopReason(
        Array(50)
          .fill(0)
          .map((_, i) => (i % 2 ? 5 : 15)),
        0,
        rule(),
      ),
      'max',
    );
  });
  test('the minimum is taken whatever the budget; -n means exactly that many', () => {
    assert.equal(stopReason(noisy.slice(0, 2), 1e9, rule()), undefined);
    assert.equal(stopReason(noisy.slice(0, 3), 0, rule({ runs: 3 })), 'exact');
    assert.equal(stopReason(steady, 0, rule({ runs: 7 })), undefined);
  });
});

describe('work and environment', () => {
  test('arithmetic for --bytes and --flops in a program cell', () => {
    assert.equal(evaluate('2 * (1 << 20) * 4'), 8 * 1024 * 1024);
    assert.equal(evaluate('1e9 / 4 + 3 % 2'), 250_000_001);
    assert.equal(evaluate('-(3 - 5)'), 2);
    for (const bad of ['n * 4', '2 **', '(1', 'sizeof(float)', '']) assert.throws(() => evaluate(bad), /cannot evaluate/, bad);
  });
  test('bandwidth and throughput at the median time', () => {
    assert.deepEqual(achieved({ bytes: 2e9, flops: 1e9 }, 1000), { bytes: 2e9, flops: 1e9, bandwidthGBs: 2, gflops: 1 });
    assert.equal(achieved(undefined, 5), undefined);
  });
  test('an SM clock that moved more than 5 % during the measurement is a warning', () => {
    const env = (start: string, end: string): BenchEnvironment => ({
      machine: { host: 'h', date: '', unavailable: {}, gpus: [{ smClockMHz: start } as never] },
      clocksAtEnd: { smClockMHz: [end], memClockMHz: [] },
      icudaVersion: '',
      nvccVersion: '',
      flags: [],
      arch: '',
    });
    assert.deepEqual(clockWarnings(env('1980', '1965')), []);
    assert.match(clockWarnings(env('1980', '1410'))[0], /SM clock moved from 1980 to 1410 MHz/);
  });
});

/** A record with these samples. */
function record(name: string, samples: number[], group?: string): BenchRecord {
  return {
    name,
    group,
    measure: 'gpu',
    unit: 'ms',
    samples,
    warmup: 1,
    stats: statistics(samples),
    stop: { reason: 'noise', rule: rule() },
    cold: false,
    warnings: [],
    environment: {
      machine: { host: 'h', date: '', gpus: [], unavailable: { gpus: 'none' } },
      clocksAtEnd: { smClockMHz: [], memClockMHz: [] },
      icudaVersion: '0',
      nvccVersion: '13.0',
      flags: [],
      arch: '',
    },
  };
}

describe('charts', () => {
  /** Compiles a Vega-Lite spec with vega-lite itself; answers the warnings it logged. */
  const compileSpec = (spec: Record<string, unknown>) => {
    const warnings: string[] = [];
    const logger = {
      level: () => logger,
      warn: (...m: unknown[]) => (warnings.push(m.join(' ')), logger),
      info: () => logger,
      debug: () => logger,
      error: (...m: unknown[]) => {
        throw new Error(m.join(' '));
      },
    };
    const compiled = compile(spec as never, { logger: logger as never });
    return { compiled, warnings };
  };

  test('the runs chart is valid Vega-Lite (v5) with a mark per run and the median; its SVG has a bar per run', () => {
    const r = record('saxpy', [1.2, 1.1, 1.3]);
    const { compiled, warnings } = compileSpec(runsSpec(r));
    assert.deepEqual(warnings, []);
    assert.ok(compiled.spec.marks!.length >= 2);
    const bundle = runsBundle(r);
    assert.equal((bundle[VEGA_LITE] as { $schema: string }).$schema, 'https://vega.github.io/schema/vega-lite/v5.json');
    assert.equal(String(bundle['image/svg+xml']).match(/<rect /g)!.length, 3);
    const long = record(
      'many',
      Array.from({ length: 100 }, (_, i) => 1 + (i % 7) / 100),
    );
    assert.deepEqual(compileSpec(runsSpec(long)).warnings, []);
  });

  test('the group chart compares results: valid Vega-Lite, an SVG row per result with its whisker', () => {
    const rs = [record('naive', [2, 2.2, 2.1], 'reduce'), record('shared <mem>', [1, 1.1, 0.9], 'reduce')];
    const { warnings } = compileSpec(groupSpec('reduce', rs));
    assert.deepEqual(warnings, []);
    const svg = String(groupBundle('reduce', rs)['image/svg+xml']);
    assert.equal(svg.match(/<rect /g)!.length, 2);
    assert.equal(svg.match(/<line /g)!.length, 3, 'a whisker per row and the axis');
    assert.ok(svg.includes('shared &lt;mem&gt;'));
  });
});
