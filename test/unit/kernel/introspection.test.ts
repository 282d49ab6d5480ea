// is_complete, complete and inspect: lexical answers about a cell.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkComplete, completeAt, inspectAt } from '../../../src/kernel/introspection/introspection.js';

describe('checkComplete', () => {
  const status = (code: string) => checkComplete(code).status;

  test('balanced code is complete; open brackets are incomplete with an indent', () => {
    assert.equal(status('int main() { return 0; }'), 'complete');
    assert.equal(status(''), 'complete');
    assert.deepEqual(checkComplete('int main() {'), { status: 'incomplete', indent: '    ' });
    assert.equal(status('f(a[1]'), 'incomplete');
  });

  test('a closer too many or of the wrong kind is invalid', () => {
    assert.equal(status('int x = 1; }'), 'invalid');
    assert.equal(status('f(a]'), 'invalid');
  });

  test('brackets in strings, chars and comments do not count', () => {
    assert.equal(status("const char *s = \"}{\"; char c = '{'; // {\n/* { */ int y = 1'000;"), 'complete');
    assert.equal(status('printf("\\"{");'), 'complete');
  });

  test('an open string or comment is incomplete', () => {
    assert.equal(status('const char *s = "open'), 'incomplete');
    assert.equal(status('/* open'), 'incomplete');
  });

  test('magic lines are not code', () => {
    assert.equal(status('%args "{"\nint main() {}'), 'complete');
  });
});

describe('completeAt', () => {
  test('magic names after %', () => {
    assert.deepEqual(completeAt('%de', 3), { matches: ['%default_flags'], cursorStart: 0, cursorEnd: 3 });
    assert.ok(completeAt('%', 1).matches.includes('%timeout'));
  });

  test('CUDA words and the cell identifiers', () => {
    const code = 'int counter = 0;\ncu';
    const result = completeAt(code, code.length);
    assert.equal(result.cursorStart, code.length - 2);
    assert.ok(result.matches.includes('cudaMalloc'));
    assert.deepEqual(
      completeAt('int counter; co', 15).matches.filter((m) => m.startsWith('cou')),
      ['counter'],
    );
  });
});

describe('completeAt: includes and the docs table', () => {
  test('workspace files and icuda.h inside #include "", headers inside #include <>', () => {
    const code = '#include "ke';
    assert.deepEqual(completeAt(code, code.length, ['kernels.cuh', 'a.cu', 'kern.h']), {
      matches: ['kern.h', 'kernels.cuh'],
      cursorStart: 10,
      cursorEnd: 12,
    });
    assert.deepEqual(completeAt('#include "', 10, ['a.cu']).matches, ['a.cu', 'icuda.h']);
    assert.deepEqual(completeAt('#include <cuda_r', 16).matches, ['cuda_runtime.h']);
  });

  test('CUDA names carry their kind and signature for frontends', () => {
    const result = completeAt('cudaMemcpyA', 11);
    assert.deepEqual(result.matches, ['cudaMemcpyAsync']);
    const [type] = (result.metadata as any)._jupyter_types_experimental;
    assert.equal(type.type, 'runtime');
    assert.match(type.signature, /^cudaError_t cudaMemcpyAsync\(/);
  });
});

describe('inspectAt', () => {
  test('magic help and CUDA docs; nothing for unknown words', () => {
    const magic = inspectAt('%timeout 3', 4);
    assert.equal(magic.found, true);
    assert.match(String(magic.data['text/plain']), /^%timeout SECONDS/);
    assert.match(String(inspectAt('x = threadIdx.x', 6).data['text/plain']), /thread index/);
    assert.deepEqual(inspectAt('foo', 1), { found: false, data: {} });
  });
});

describe('checkComplete for a console, one top-level item at a time', () => {
  const status = (code: string) => checkComplete(code).status;

  test('a preprocessor line, a declaration, a statement or a definition is complete', () => {
    for (const code of [
      '#include <cstdio>',
      '  #define N (1 << 20)',
      'int counter = 0;',
      'printf("%d\\n", n);',
      '__global__ void k() {}',
      'namespace q { int z; }',
    ])
      assert.equal(status(code), 'complete', code);
  });

  test('what still lacks its end is incomplete', () => {
    for (const code of [
      'int x = 3',
      'for (int i = 0; i < 3; i++)',
      '__global__ void k(float *a)',
      'template <typename T>',
      '#define TWICE(x) \\',
    ])
      assert.equal(status(code), 'incomplete', code);
  });

  test('a type, an initializer list or a lambda wants its semicolon after the brace', () => {
    for (const code of ['struct P { int a; }', 'enum class E { A, B }', 'int a[] = {1, 2}', 'auto f = [](int v) { return v; }'])
      assert.equal(status(code), 'incomplete', code);
    for (const code of [
      'struct P { int a; };',
      'P make() { return P{}; }',
      'if (x) { y(); } else { z(); }',
      'bool operator==(P a, P b) { return true; }',
    ])
      assert.equal(status(code), 'complete', code);
  });

  test('a blank last line sends what there is; comments after the end do not matter', () => {
    assert.equal(status('int x = 3\n    '), 'complete');
    assert.equal(status('int x = 3; // the answer'), 'complete');
    assert.equal(status('#include <cstdio> // for printf'), 'complete');
    assert.equal(status('int y = 1 /* more */'), 'incomplete');
  });
});

describe('session names in completion and inspection', () => {
  const names = [
    { name: 'vector_add', kind: 'kernel', cell: 3, signature: '__global__ void vector_add(const float *a, float *c, int n);' },
  ];
  test('completion offers them with their kind and declaration', () => {
    const reply = completeAt('vector_', 7, [], names);
    assert.deepEqual(reply.matches, ['vector_add']);
    const types = (reply.metadata as { _jupyter_types_experimental: { type: string; signature: string }[] })._jupyter_types_experimental;
    assert.deepEqual([types[0].type, types[0].signature], ['kernel', names[0].signature]);
  });
  test('inspection shows the declaration and the cell that defined it', () => {
    const reply = inspectAt('vector_add<<<1, 1>>>(a, c, n);', 3, names);
    assert.equal(reply.data['text/plain'], `${names[0].signature}\n\nkernel defined by session cell [3]`);
  });
});
