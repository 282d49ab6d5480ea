// icuda compare's logic on known results: matching by cell and name (or name alone), the
// verdict within noise, results in one notebook only, and environment changes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { benchResults, type BenchResult } from '../../../src/client/bench-results.js';
import { compare, judge } from '../../../src/client/compare.js';
import type { Notebook } from '../../../src/client/notebook-runner.js';

/** A result with this median and noise. */
function result(name: string, median: number, rsd: number, cell = 'c1', gpu = 'H200'): BenchResult {
  const environment = {
    machine: { host: 'box', gpus: [{ name: gpu, driverVersion: '580' }] },
    nvccVersion: '13.0',
    arch: 'sm_90',
    flags: ['-O3'],
  };
  return { key: `${cell}:${name}`, cell, name, measure: 'gpu', median, rsd, runs: 20, environment };
}

test('a change within the larger noise of the two is the same; beyond it, faster or slower', () => {
  assert.equal(judge(result('a', 1, 0.02), result('a', 1.015, 0.01)).verdict, 'same');
  assert.equal(judge(result('a', 1, 0.02), result('a', 1.1, 0.01)).verdict, 'slower');
  assert.equal(judge(result('a', 1, 0.02), result('a', 0.8, 0.05)).verdict, 'faster');
  assert.equal(judge(result('a', 2, 0), result('a', 3, 0)).ratio, 1.5);
});

test('results match by cell and name, else by a name found once; the rest are listed', () => {
  const report = compare(
    [result('copy', 1, 0.01), result('reduce', 2, 0.01, 'c2'), result('gone', 3, 0.01, 'c3')],
    [result('copy', 1.2, 0.01), result('reduce', 2, 0.01, 'other-id'), result('added', 1, 0.01, 'c4')],
  );
  assert.deepEqual(
    report.pairs.map((p) => [p.name, p.verdict]),
    [
      ['copy', 'slower'],
      ['reduce', 'same'],
    ],
  );
  assert.deepEqual(
    report.onlyBase.map((r) => r.name),
    ['gone'],
  );
  assert.deepEqual(
    report.onlyNew.map((r) => r.name),
    ['added'],
  );
  assert.deepEqual(report.environmentChanges, []);
});

test('a different GPU, driver or flags is reported once per field', () => {
  const other = result('copy', 1, 0.01, 'c1', 'A100');
  other.environment = { ...other.environment, flags: ['-O2'] };
  const report = compare([result('copy', 1, 0.01), result('x', 1, 0.01, 'c2')], [other, result('x', 1, 0.01, 'c2', 'A100')]);
  assert.deepEqual(report.environmentChanges, ['GPU: H200 -> A100', 'flags of copy: -O3 -> -O2']);
});

test('bench results are read from the outputs whose metadata carries icuda.bench', () => {
  const record = { name: 'saxpy', measure: 'host', stats: { median: 0.5, rsd: 0.03, runs: 12 }, environment: { nvccVersion: '13.0' } };
  const nb = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: [
      { cell_type: 'markdown', source: 'x', metadata: {} },
      {
        cell_type: 'code',
        id: 'abc',
        source: '%bench',
        metadata: {},
        outputs: [
          { output_type: 'stream', name: 'stdout', text: 'hi' },
          { output_type: 'display_data', data: {}, metadata: { icuda: { bench: record } } },
          { output_type: 'display_data', data: {}, metadata: {} },
        ],
      },
      {
        cell_type: 'code',
        source: '',
        metadata: {},
        outputs: [{ output_type: 'display_data', data: {}, metadata: { icuda: { bench: { ...record, name: 'b' } } } }],
      },
    ],
  } as unknown as Notebook;
  assert.deepEqual(
    benchResults(nb).map((r) => [r.key, r.median, r.rsd, r.runs, r.measure]),
    [
      ['abc:saxpy', 0.5, 0.03, 12, 'host'],
      ['#3:b', 0.5, 0.03, 12, 'host'],
    ],
  );
});
