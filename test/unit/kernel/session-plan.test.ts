// What a plan means for a session cell: magics that only fit a program, the session's flags, error
// text rid of scratch paths, and the %vars table.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CHECK_FLAGS } from '../../../src/engine/compile/program-hooks.js';
import { memoryOf, pointerWords, varsBundle } from '../../../src/kernel/actions/vars-table.js';
import { parseCell } from '../../../src/kernel/magics/magics.js';
import { scrubPaths, sessionFlags, unfitMagics, withoutScratchPaths } from '../../../src/kernel/session-plan.js';

describe('session plans', () => {
  test('the magics of whole programs are named, all at once', () => {
    assert.equal(unfitMagics(parseCell('%flags -O2\n%time\n%timeout 3\n%check\nx += 1;')), undefined);
    const one = unfitMagics(parseCell('%args a\nx += 1;'))!;
    assert.match(one, /^%args applies to cells with main\(\) \(whole programs\); this cell has no main\(\)/);
    const many = unfitMagics(parseCell('%env A=1\n%keep\n%sources k.cu\n%sanitize\nx += 1;'))!;
    assert.match(many, /^%env, %keep, %sources and %sanitize apply to cells with main\(\)/);
    assert.match(unfitMagics(parseCell('%profile nsys\nx;'))!, /^%profile applies/);
  });

  test("%check is the runner's: its link flags are left out, the other flags kept in order", () => {
    const plan = parseCell('%flags -O3\n%check\n%flags -lineinfo\nx;');
    assert.equal(plan.check, true);
    assert.deepEqual(plan.flags, ['-O3', ...CHECK_FLAGS, '-lineinfo'], 'a program still links with them');
    assert.deepEqual(sessionFlags(['-DD'], plan), ['-DD', '-O3', '-lineinfo']);
    assert.deepEqual(sessionFlags([], parseCell('%flags -Xlinker --wrap=foo\nx;')), ['-Xlinker', '--wrap=foo']);
  });

  test('scratch run directories and nvcc temp names leave error text', () => {
    const line =
      '/usr/bin/ld: /tmp/x y/icuda-4242-AbC123/runs/0b6f3c1e-9d2a-4c55-8e0f-1a2b3c4d5e6f/tmpxft_00012a3b_00000000-11_cell.o: in function `f`';
    assert.equal(scrubPaths(line, '/tmp/x y/icuda-4242-AbC123'), '/usr/bin/ld: cell.o: in function `f`');
    assert.equal(scrubPaths(line.replace('x y', 'xy')), '/usr/bin/ld: cell.o: in function `f`', 'any kernel directory, by its shape');
    const error = withoutScratchPaths({ status: 'error', ename: 'E', evalue: `at /tmp/icuda-1-a/runs/abc-1/prog`, traceback: ['plain'] });
    assert.deepEqual([error.evalue, error.traceback], ['at prog', ['plain']]);
  });
});

describe('%vars', () => {
  test('a table of names with what the runner found; a sentence when there are none', () => {
    const bundle = varsBundle([
      { name: 'n', kind: 'constant', cell: 1, signature: 'const int n' },
      {
        name: 'd_a',
        kind: 'variable',
        cell: 2,
        signature: 'float *d_a',
        size: 8,
        pointer: { value: '0x7f00', memory: 'device', device: 0, base: '0x7f00', bytes: 4 << 20 },
      },
    ]);
    const text = String(bundle['text/plain']);
    assert.match(text, /^name\s+kind\s+declaration\s+cell\s+memory\n/);
    assert.match(text, /d_a\s+variable\s+float \*d_a\s+\[2\]\s+8 B; device memory \(GPU 0\), in an allocation of 4\.0 MiB at 0x7f00/);
    assert.match(String(bundle['text/html']), /<caption>2 names in the session<\/caption>/);
    assert.match(String(varsBundle([])['text/plain']), /no session names yet/);
  });

  test('where a pointer points, or why the runtime cannot tell', () => {
    const noGpu = { value: '0x55', error: 'CUDA driver version is insufficient for CUDA runtime version (cudaErrorInsufficientDriver)' };
    assert.match(pointerWords(noGpu, false), /^points to 0x55: cannot tell where \(CUDA driver version is insufficient/);
    assert.equal(pointerWords(noGpu, true), '', 'an auto that may not be a pointer says nothing it cannot know');
    assert.equal(pointerWords({ value: '0x0', memory: 'null' }, false), 'null pointer');
    assert.equal(pointerWords({ value: '0x1', memory: 'unregistered' }, false), 'host memory, not a CUDA allocation');
    assert.equal(memoryOf({ name: 'k', kind: 'kernel', cell: 1, signature: '__global__ void k();' }), '');
  });
});
