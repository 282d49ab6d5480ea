// The splitter against known cells: which chunk each piece becomes, on which line, what it
// defines and what later cells compile in its place.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Chunk } from '../../../src/session/cell-model.js';
import { isSessionCell } from '../../../src/session/cell-kind.js';
import { partsOf, splitCell, type Known } from '../../../src/session/splitter.js';

/** kind:line for each chunk. */
const shape = (chunks: Chunk[]) => chunks.map((chunk) => `${chunk.kind}:${chunk.line}`);
/** The chunk that defines `name`. */
const defining = (chunks: Chunk[], name: string) => chunks.find((chunk) => chunk.defs.some((def) => def.name === name));

describe('splitCell', () => {
  test("the issue's first cell: include, constant, variable, statement", async () => {
    const cell = await splitCell(
      '#include <cstdio>\nconst int n = 1 << 20;\nfloat *x = nullptr; // a variable: it lives on\ncudaMalloc(&x, n * sizeof(float)); // a statement: runs now\n',
    );
    assert.deepEqual(shape(cell.chunks), ['global:1', 'decl:2', 'decl:3', 'stmt:4']);
    assert.equal(cell.chunks[0].text, '#include <cstdio>\n');
    assert.deepEqual(
      cell.chunks[1].defs.map((def) => [def.name, def.kind]),
      [['n', 'constant']],
    );
    assert.equal(cell.chunks[1].carried, 'const int n = 1 << 20;', 'a constant is compiled again where used');
    assert.deepEqual(
      cell.chunks[2].defs.map((def) => [def.name, def.kind]),
      [['x', 'variable']],
    );
    assert.equal(cell.chunks[2].carried, 'extern float *x;');
    assert.equal(cell.chunks[3].text, 'cudaMalloc(&x, n * sizeof(float));');
    assert.equal(cell.usesCuda, true);
    assert.equal(cell.hasMain, false);
  });

  test('kernels and host functions are carried as prototypes, device functions as source', async () => {
    const cell = await splitCell(
      '__device__ float twice(float v) { return 2 * v; }\n' +
        '__global__ void scale(float *v, float s, int n) {\n  int i = threadIdx.x;\n  if (i < n) v[i] = twice(v[i]) * s;\n}\n' +
        'static int helper(int a = 3) { return a; }\n',
    );
    assert.deepEqual(shape(cell.chunks), ['decl:1', 'decl:2', 'decl:6']);
    assert.equal(defining(cell.chunks, 'twice')?.defs[0].kind, 'device-function');
    assert.equal(defining(cell.chunks, 'twice')?.carried, 'static __device__ float twice(float v) { return 2 * v; }');
    assert.equal(defining(cell.chunks, 'scale')?.defs[0].kind, 'kernel');
    assert.equal(defining(cell.chunks, 'scale')?.carried, '__global__ void scale(float *v, float s, int n);');
    const helper = defining(cell.chunks, 'helper');
    assert.equal(helper?.text.trim(), 'int helper(int a = 3) { return a; }', 'static dropped: later cells link to it');
    assert.equal(helper?.carried, 'int helper(int a = 3);');
    assert.equal(cell.usesCuda, false);
  });

  test('a launch and control flow are statements; a kernel launch marks CUDA use', async () => {
    const cell = await splitCell(
      'scale<<<(n + 255) / 256, 256>>>(x, 0.5f, n);\nfor (int i = 0; i < 3; i++) printf("%d", i);\nif (x) { x = 0; }\n',
    );
    assert.deepEqual(shape(cell.chunks), ['stmt:1', 'stmt:2', 'stmt:3']);
    assert.equal(cell.usesCuda, true);
    assert.ok(cell.declared.has('i'), 'a loop variable is a local name');
  });

  test('CUDA calls in function bodies do not run with the cell; in initializers they do', async () => {
    const defined = await splitCell('void reset(float *p) { cudaMemset(p, 0, 4); }\ntemplate <typename T> void k(T *p) { cudaFree(p); }');
    assert.equal(defined.usesCuda, false, 'a cell that only defines runs no CUDA call');
    assert.equal((await splitCell('float *p = nullptr;\ncudaError_t e = cudaMalloc(&p, 4);')).usesCuda, true);
  });

  test('types, enums, typedefs and templates are carried as source; members stay with their class', async () => {
    const cell = await splitCell(
      'struct P { int a; int get() const; };\nint P::get() const { return a; }\nenum Color { Red, Green };\ntypedef float real;\ntemplate <typename T> T sq(T v) { return v * v; }\n',
    );
    assert.deepEqual(shape(cell.chunks), ['decl:1', 'member:2', 'decl:3', 'decl:4', 'decl:5']);
    assert.equal(cell.chunks[0].carried, 'struct P { int a; int get() const; };');
    assert.equal(cell.chunks[1].target, 'P');
    assert.deepEqual(
      cell.chunks[2].defs.map((def) => `${def.name}:${def.kind}`),
      ['Color:type', 'Red:constant', 'Green:constant'],
    );
    assert.deepEqual(
      cell.chunks[3].defs.map((def) => `${def.name}:${def.kind}`),
      ['real:type'],
    );
    assert.equal(defining(cell.chunks, 'sq')?.defs[0].kind, 'template');
  });

  test('auto variables are declared through decltype; lambdas and device variables are special', async () => {
    const cell = await splitCell(
      'auto v = std::vector<int>{1, 2};\nauto sq = [](int a) { return a * a; };\n__constant__ float c[4];\n__device__ int d;\nchar const *msg = "hi", *other;\n',
    );
    assert.equal(cell.chunks[0].carried?.replace(/\s+/g, ' '), 'extern std::decay_t<decltype(std::vector<int>{1, 2})> v;');
    assert.equal(cell.chunks[1].defs[0].kind, 'constant');
    assert.equal(cell.chunks[1].carried, 'static auto sq = [](int a) { return a * a; };');
    assert.equal(cell.chunks[2].defs[0].kind, 'device-variable');
    assert.equal(cell.chunks[2].carried, undefined, 'a device variable never reaches a later cell');
    assert.equal(cell.chunks[3].defs[0].kind, 'device-variable');
    assert.deepEqual(
      cell.chunks[4].defs.map((def) => `${def.name}:${def.kind}`),
      ['msg:variable', 'other:variable'],
    );
    assert.equal(cell.chunks[4].carried, 'extern char const *msg, *other;', 'const before or after the type, on the pointee only');
  });

  test('namespaces: members are split inside them; an anonymous one is transparent', async () => {
    const cell = await splitCell('namespace q { int z = 1; void f() {} }\nnamespace { int hidden = 2; }\n');
    assert.deepEqual(
      cell.chunks.map((chunk) => `${chunk.kind}:${chunk.path.join('::')}:${chunk.defs.map((def) => def.name).join(',')}`),
      ['decl:q:z', 'decl:q:f', 'decl::hidden'],
    );
  });

  test("prototypes: kept for the cell's own definitions, dropped for earlier ones, global otherwise", async () => {
    const known: Known = (name) => (name === 'old' ? 'function' : undefined);
    const cell = await splitCell('void mine();\nvoid old();\nint puts(const char *);\nextern int outside;\nvoid mine() {}\n', known);
    assert.deepEqual(shape(cell.chunks), ['decl:1', 'global:3', 'global:4', 'decl:5']);
  });

  test('`T v(n)` with n a value is a variable constructed from it, not a function taking a type n', async () => {
    const known: Known = (name) => (name === 'size' ? 'value' : name === 'Gadget' ? 'other' : undefined);
    const cell = await splitCell('const int n = 4;\nstd::vector<float> a(n), b(size);\nstd::string s(n, size);\nWidget w(Gadget);', known);
    assert.deepEqual(
      defining(cell.chunks, 'a')!.defs.map((def) => [def.name, def.kind, def.signature]),
      [
        ['a', 'variable', 'std::vector<float> a'],
        ['b', 'variable', 'std::vector<float> b'],
      ],
    );
    assert.equal(defining(cell.chunks, 'a')!.carried, 'extern std::vector<float> a, b;');
    assert.equal(defining(cell.chunks, 's')!.carried, 'extern std::string s;');
    assert.equal(defining(cell.chunks, 'w'), undefined, 'a parameter that names a type: a prototype after all');
  });

  test('the most vexing parse: a known function called at file scope is a statement', async () => {
    const known: Known = (name) => (name === 'report' ? 'function' : undefined);
    const source = 'report(a), flush(b);\n'; // the grammar reads: a and flush of type report
    assert.equal((await splitCell(source)).chunks[0].kind, 'decl');
    assert.deepEqual(shape((await splitCell(source, known)).chunks), ['stmt:1']);
  });

  test('a top-level main makes a whole program; a member called main does not', async () => {
    assert.equal((await splitCell('int main() { return 0; }')).hasMain, true);
    assert.equal((await splitCell('struct S { int main() { return 1; } };')).hasMain, false);
    assert.equal(await isSessionCell('printf("hi\\n");'), true);
    assert.equal(await isSessionCell('#include <cstdio>\nint main() { return 0; }'), false);
    assert.equal(await isSessionCell('int\nmain(void) { return 0; }'), false, 'parsed when the quick look cannot tell');
    assert.equal(await isSessionCell('int x = 1; // not main()'), true);
  });

  test('#define remembers its macro; lines count from the cell', async () => {
    const cell = await splitCell('\n\n#define N 4\nint arr[N];\n');
    assert.deepEqual(shape(cell.chunks), ['global:3', 'decl:4']);
    assert.equal(cell.chunks[0].macro, 'N');
  });
});

describe('partsOf', () => {
  test('a variable defined after a statement starts a new part, so the order written is kept', async () => {
    const cell = await splitCell('int a = 1;\nprintf("%d", a);\nvoid f() {}\nint b = a + 1;\nprintf("%d", b);\n');
    assert.deepEqual(
      partsOf(cell.chunks).map((part) => part.map((chunk) => chunk.line)),
      [
        [1, 2, 3],
        [4, 5],
      ],
    );
  });

  test('declarations then statements are one part', async () => {
    const cell = await splitCell('int a = 1;\nint b = 2;\na += b;\n');
    assert.equal(partsOf(cell.chunks).length, 1);
  });
});
