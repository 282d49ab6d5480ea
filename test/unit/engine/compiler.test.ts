// nvcc's command line and its diagnostics, from sample nvcc output: no nvcc needed.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HOOK_FLAGS } from '../../../src/engine/compile/program-hooks.js';
import { cellFile, cleanDiagnostics, countCompileErrors, nvccArgs, PRELUDE } from '../../../src/engine/compile/compiler.js';

const ONE_ERROR = `nvcc warning : Cannot find valid GPU for '-arch=native', default arch is used
cell[3](4): error: identifier "undefined_thing" is undefined
    return undefined_thing;
           ^

1 error detected in the compilation of "cell.cu".
`;

const TWO_PASSES = `cell[2](1): error: a
cell[2](2): error: b
2 errors detected in the compilation of "cell.cu".
cell[2](3): error: c
1 error detected in the compilation of "cell.cu".
`;

const LINKER = `/usr/bin/ld: tmpxft_0001.o: in function \`main':
tmpxft_0001.cudafe1.cpp:(.text+0x5): undefined reference to \`missing()'
collect2: error: ld returned 1 exit status
`;

describe('nvcc command line', () => {
  test('-arch=native unless the user picked an architecture', () => {
    assert.deepEqual(nvccArgs(['-O2']), ['-o', 'prog', 'cell.cu', '-include', PRELUDE, ...HOOK_FLAGS, '-arch=native', '-O2']);
    for (const flag of [
      '-arch=sm_80',
      '-arch',
      '--gpu-architecture=sm_90',
      '-gencode',
      '--generate-code=arch=compute_80,code=sm_80',
      '-code=sm_80',
    ]) {
      assert.ok(!nvccArgs([flag]).includes('-arch=native'), flag);
    }
  });

  test('the cell file starts with a #line naming the cell', () => {
    assert.equal(cellFile('int x;\n', 7), '#line 1 "cell[7]"\nint x;\n');
  });
});

describe('diagnostics', () => {
  test('the no-GPU warning about -arch=native is hidden and the file is named as the cell', () => {
    const text = cleanDiagnostics(ONE_ERROR, 3);
    assert.ok(!text.includes('Cannot find valid GPU'));
    assert.ok(text.startsWith('cell[3](4): error: identifier "undefined_thing"'));
    assert.ok(text.endsWith('1 error detected in the compilation of cell[3].'));
  });

  test('errors are counted from nvcc totals, summed over passes', () => {
    assert.equal(countCompileErrors(ONE_ERROR), 1);
    assert.equal(countCompileErrors(TWO_PASSES), 3);
  });

  test('without totals, error lines are counted', () => {
    assert.equal(countCompileErrors(LINKER), 1);
    assert.equal(countCompileErrors('cell[1](2): error: x\ncell[1](3): error: y\n'), 2);
    assert.equal(countCompileErrors('cell[1](2): warning #177-D: unused\n'), 0);
  });

  test('warnings alone leave an empty text once the native warning is gone', () => {
    assert.equal(cleanDiagnostics("nvcc warning : Cannot find valid GPU for '-arch=native', default arch is used\n", 1), '');
  });
});
