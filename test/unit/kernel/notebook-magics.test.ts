// The pure parts of the notebook magics: cell magics in parseCell, file names, ptxas reports,
// profiler CSV, statistics, the chart, and the closest-name hint.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatResources, parseResources, withoutResourceLines } from '../../../src/kernel/actions/assembly.js';
import { DEFAULT_RULE, statistics } from '../../../src/kernel/bench/statistics.js';
import { closestName, editDistance, helpText } from '../../../src/kernel/magics/magic-help.js';
import { MAGICS, parseCell } from '../../../src/kernel/magics/magics.js';
import { ncuKernels, nsysKernels, parseCsv } from '../../../src/kernel/actions/profilers.js';
import { barChart } from '../../../src/kernel/actions/svg-chart.js';
import { checkFileName } from '../../../src/kernel/actions/workspace.js';

const PTXAS = `nvcc warning : something else
ptxas info    : 0 bytes gmem
ptxas info    : Compiling entry function '_Z3addPfi' for 'sm_75'
ptxas info    : Function properties for _Z3addPfi
    8 bytes stack frame, 4 bytes spill stores, 4 bytes spill loads
ptxas info    : Used 10 registers, used 1 barriers, 256 bytes smem, 364 bytes cmem[0]
ptxas info    : Compiling entry function '_Z4noopv' for 'sm_75'
ptxas info    : Function properties for _Z4noopv
    0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
ptxas info    : Used 4 registers, 352 bytes cmem[0]`;

describe('notebook magics', () => {
  test('%%file keeps the rest of the cell verbatim and leaves nothing to compile', () => {
    const plan = parseCell('%%file -a k.cuh\n%not_a_magic\n#pragma once\n');
    assert.deepEqual(plan.cellMagic, { name: 'file', file: 'k.cuh', append: true, body: '%not_a_magic\n#pragma once\n' });
    assert.equal(plan.hasCode, false);
  });

  test('%%ptx compiles the lines after it, line numbers kept', () => {
    const plan = parseCell('%flags -O3\n%%ptx\n__global__ void k() {}\n');
    assert.deepEqual(plan.cellMagic, { name: 'ptx' });
    assert.equal(plan.source, '\n\n__global__ void k() {}\n');
  });

  test('file names: plain, with a known extension, else refused', () => {
    for (const ok of ['a.cu', 'k_2.cuh', 'x.h', 'y.hpp', 'my-file.v2.cu']) assert.equal(checkFileName(ok), ok);
    for (const bad of ['../a.cu', 'a/b.cu', '/abs.cu', 'a..cu', 'a.txt', '.cu', 'a.cu/', 'a\\b.cu', ''])
      assert.throws(() => checkFileName(bad), /not a plain file name/, bad);
  });

  test('the run-mode magics parse their arguments and do not combine', () => {
    assert.deepEqual(parseCell('%bench').mode, { kind: 'bench', rule: DEFAULT_RULE, warmup: 1, cold: false });
    assert.deepEqual(parseCell('%bench -w 0 -n 3').mode, { kind: 'bench', rule: { ...DEFAULT_RULE, runs: 3 }, warmup: 0, cold: false });
    assert.deepEqual(parseCell('%bench --rsd 0.5 --budget 2 --min 20 --max 50 --cold --bytes "2*n*4" --name copy --group copies').mode, {
      kind: 'bench',
      rule: { minRuns: 20, maxRuns: 50, targetRsd: 0.005, budgetMs: 2000 },
      warmup: 1,
      cold: true,
      bytes: '2*n*4',
      name: 'copy',
      group: 'copies',
    });
    assert.throws(() => parseCell('%bench --min 9 --max 3'), /--min 9 is above --max 3/);
    assert.throws(() => parseCell('%bench --fast'), /unknown option "--fast"/);
    assert.deepEqual(parseCell('%profile').mode, { kind: 'profile', tool: 'ncu', args: [] });
    assert.deepEqual(parseCell('%profile nsys --trace cuda').mode, { kind: 'profile', tool: 'nsys', args: ['--trace', 'cuda'] });
    assert.deepEqual(parseCell('%profile --set full').mode, { kind: 'profile', tool: 'ncu', args: ['--set', 'full'] });
    assert.deepEqual(parseCell('%sanitize initcheck').mode, { kind: 'sanitize', tool: 'initcheck' });
    assert.throws(() => parseCell('%bench\n%sanitize'), /cannot combine with %bench/);
    assert.throws(() => parseCell('%bench -n x'), /expected -n RUNS/);
  });

  test("ptxas -v output becomes one record per kernel, and leaves the rest of nvcc's output", () => {
    const kernels = parseResources(PTXAS);
    assert.deepEqual(kernels[0], {
      name: '_Z3addPfi',
      arch: 'sm_75',
      registers: 10,
      sharedBytes: 256,
      stackBytes: 8,
      spillStores: 4,
      spillLoads: 4,
    });
    assert.deepEqual(kernels[1], {
      name: '_Z4noopv',
      arch: 'sm_75',
      registers: 4,
      sharedBytes: 0,
      stackBytes: 0,
      spillStores: 0,
      spillLoads: 0,
    });
    assert.equal(
      formatResources(kernels, new Map([['_Z4noopv', 'noop()']])).split('\n')[1],
      'noop() [sm_75]: 4 registers, 0 B shared, 0 B stack, 0 B spill stores, 0 B spill loads',
    );
    assert.equal(withoutResourceLines(PTXAS), 'nvcc warning : something else');
  });

  test('profiler CSV: quoted fields, a preamble skipped, ncu metrics grouped per launch', () => {
    assert.deepEqual(
      parseCsv('noise\n"a","b,c"\n"x ""q""",2\n', (row) => row[0] === 'a'),
      [
        ['a', 'b,c'],
        ['x "q"', '2'],
      ],
    );
    const ncu =
      '"ID","Kernel Name","Grid Size","Block Size","Metric Name","Metric Unit","Metric Value"\n' +
      '"0","k()","(1, 1, 1)","(32, 1, 1)","Duration","usecond","1.5"\n"0","k()","(1, 1, 1)","(32, 1, 1)","Registers Per Thread","register/thread","16"\n';
    const [, rows] = ncuKernels(ncu);
    assert.deepEqual(rows, [['0', 'k()', '(1, 1, 1)', '(32, 1, 1)', '1.5 usecond', '', '', '16 register/thread', '']]);
    const [head, sum] = nsysKernels(
      'Processing...\nTime (%),Total Time (ns),Instances,Avg (ns),Med (ns),Min (ns),Max (ns),StdDev (ns),Name\n100.0,10,1,10.0,10.0,10,10,0.0,"k()"\n',
    );
    assert.equal(head[0], 'Name');
    assert.deepEqual(sum, [['k()', '100.0', '1', '10', '10.0', '10', '10']]);
  });

  test('statistics: median of an even count, sample standard deviation', () => {
    assert.deepEqual(statistics([4, 1, 3, 2]), {
      runs: 4,
      min: 1,
      median: 2.5,
      mean: 2.5,
      max: 4,
      stddev: Math.sqrt(5 / 3),
      rsd: Math.sqrt(5 / 3) / 2.5,
    });
    assert.equal(statistics([7]).stddev, 0);
  });

  test('the chart has one bar per run and escapes its title', () => {
    const svg = barChart([1, 2, 3], 'runs <ms>');
    assert.equal(svg.match(/<rect /g)!.length, 3);
    assert.ok(svg.includes('runs &lt;ms&gt;'));
  });

  test('closest names by edit distance; far-off names suggest nothing', () => {
    assert.equal(editDistance('kitten', 'sitting'), 3);
    assert.equal(closestName('%timeuot', ['%time', '%timeout']), '%timeout');
    assert.equal(closestName('%frobnicate', ['%time', '%flags']), undefined);
    assert.throws(() => helpText(MAGICS, 'sanitise'), /did you mean %sanitize\?/);
  });
});
