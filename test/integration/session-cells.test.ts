// Session cells with the real nvcc and the real runner (no Jupyter): host state that lives on,
// kernels launched from later cells, redefinition, diagnostics, order, input and rich output.
// No GPU here: launches fail with the driver's error, which must reach the user.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { noNvcc, SessionHarness, type Ran } from './session-harness.js';

/** Asserts the cell succeeded. */
function ok(ran: Ran): void {
  assert.equal(ran.outcome.status, 'ok', ran.said);
}

describe('session cells: state that lives on', { skip: noNvcc }, () => {
  let h: SessionHarness;
  before(async () => (h = await SessionHarness.open()));
  after(async () => h?.close());

  test('counters, vectors, strings and functions of one cell are used by later ones', async () => {
    ok(
      await h.run(
        '#include <string>\n#include <vector>\nint counter = 0;\nstd::vector<int> seen;\nstd::string name = "a";\nint bump() { return ++counter; }',
      ),
    );
    const second = await h.run(
      'seen.push_back(bump());\nseen.push_back(bump());\nname += "b";\nprintf("%zu %s %d\\n", seen.size(), name.c_str(), counter);',
    );
    ok(second);
    assert.equal(second.stdout, '2 ab 2\n');
    const third = await h.run('auto total = 0;\nfor (int v : seen) total += v;\nprintf("%d %s\\n", total, name.c_str());');
    ok(third);
    assert.equal(third.stdout, '3 ab\n');
    const fourth = await h.run('total += 10;\nprintf("%d\\n", total);');
    ok(fourth);
    assert.equal(fourth.stdout, '13\n', 'an auto variable lives on with its deduced type');
  });

  test('a kernel defined in one cell is launched from a later one (the driver error reaches the user)', async () => {
    ok(
      await h.run('#include <cstdio>\nconst int n = 1 << 10;\nfloat *x = nullptr;\ncudaError_t made = cudaMalloc(&x, n * sizeof(float));'),
    );
    ok(
      await h.run(
        '__device__ float twice(float v) { return 2 * v; }\n__global__ void scale(float *v, float s, int n) {\n  int i = blockIdx.x * blockDim.x + threadIdx.x;\n  if (i < n) v[i] = twice(v[i]) * s;\n}',
      ),
    );
    const launch = await h.run(
      'scale<<<(n + 255) / 256, 256>>>(x, 0.5f, n);\nprintf("launch: %s\\n", cudaGetErrorString(cudaGetLastError()));\nprintf("stub: %d\\n", (void *)scale != nullptr);',
    );
    ok(launch);
    assert.match(launch.stdout, /^launch: CUDA driver version is insufficient for CUDA runtime version\nstub: 1\n$/);
    assert.match(launch.stderr, /icuda: CUDA unavailable: .*cudaErrorInsufficientDriver/, 'the notice, once, for a cell that uses CUDA');
    const host = await h.run('printf("host only\\n");');
    assert.equal(host.stderr, '', 'no CUDA notice for a cell that does not use CUDA');
  });

  test('redefining a function, a kernel and a variable takes effect in later cells', async () => {
    ok(await h.run('int answer() { return 1; }\nint level = 5;\n__global__ void k(int a) {}\nvoid *first_k = (void *)k;'));
    ok(await h.run('int answer() { return 2; }'));
    ok(await h.run('int level = 9;'));
    ok(await h.run('__global__ void k(float *p, int n) {}'));
    const after = await h.run('k<<<1, 1>>>(nullptr, 3);\nprintf("%d %d %d\\n", answer(), level, (void *)k != first_k);');
    ok(after);
    assert.equal(after.stdout, '2 9 1\n', 'the newest function, variable and kernel (new signature, new stub)');
    const rerun = await h.run('int level = 9;\nlevel += 1;\nprintf("%d\\n", level);');
    ok(rerun);
    assert.equal(rerun.stdout, '10\n');
  });

  test('a compile error names the line the user sees and leaves the session intact', async () => {
    ok(await h.run('int kept = 41;'));
    const bad = await h.run('kept += 1;\n\nint y = not_defined_anywhere;\n');
    assert.equal(bad.outcome.status, 'error');
    assert.equal(bad.outcome.status === 'error' && bad.outcome.ename, 'CompileError');
    assert.match(bad.said, new RegExp(`cell\\[${h.count}\\]\\(3\\): error: identifier "not_defined_anywhere" is undefined`));
    const good = await h.run('printf("%d\\n", kept + 1);');
    ok(good);
    assert.equal(good.stdout, '42\n', 'nothing of the failed cell ran');
  });

  test('re-running an unchanged cell of statements compiles nothing', async () => {
    ok(await h.run('int runs = 0;'));
    const source = 'runs += 1;\nprintf("run %d\\n", runs);';
    ok(await h.run(source));
    const before = await h.compiles();
    const again = await h.run(source);
    ok(again);
    assert.equal(again.stdout, 'run 2\n');
    assert.equal(await h.compiles(), before, 'no nvcc for the re-run');
  });

  test('re-running an unchanged cell of functions compiles nothing and makes its definitions the newest again', async () => {
    const first = 'int which() { return 1; }';
    ok(await h.run(first));
    ok(await h.run('int which() { return 2; }'));
    const before = await h.compiles();
    ok(await h.run(first));
    assert.equal(await h.compiles(), before, 'no nvcc for the re-run');
    const now = await h.run('printf("%d\\n", which());');
    assert.equal(now.stdout, '1\n', now.said);
  });

  test('statements and variable initializers run in the order written', async () => {
    const ran = await h.run('printf("a\\n");\nint v = (printf("init\\n"), 1);\nprintf("b %d\\n", v);');
    ok(ran);
    assert.equal(ran.stdout, 'a\ninit\nb 1\n');
  });

  test("an uncaught exception is the cell's error; the session lives on", async () => {
    ok(await h.run('#include <stdexcept>\nint alive = 7;'));
    const threw = await h.run('throw std::runtime_error("boom");');
    assert.equal(threw.outcome.status === 'error' && threw.outcome.evalue, 'uncaught exception: boom');
    const next = await h.run('printf("%d\\n", alive);');
    assert.equal(next.stdout, '7\n', next.said);
  });

  test("a later cell using an earlier cell's __device__ variable is refused with the remedy", async () => {
    ok(await h.run('__device__ int hits;\n__global__ void count() { atomicAdd(&hits, 1); }'));
    const compiles = await h.compiles();
    const refused = await h.run('int host_hits = 0;\ncudaMemcpyFromSymbol(&host_hits, hits, sizeof(int));');
    assert.equal(refused.outcome.status === 'error' && refused.outcome.ename, 'SessionError');
    assert.match(refused.said, /hits is a __device__ variable of cell \[\d+\]/);
    assert.match(refused.said, /cudaMalloc/);
    assert.equal(await h.compiles(), compiles, 'refused before nvcc');
    ok(await h.run('int hits = 3; // a host variable of that name is fine\nprintf("%d\\n", hits);'));
  });
});

describe('session cells: input, rich output and checks', { skip: noNvcc }, () => {
  let h: SessionHarness;
  before(async () => (h = await SessionHarness.open()));
  after(async () => h?.close());

  test('stdin through the frontend when allowed, end-of-file when not', async () => {
    const asked = await h.run('int v = 0;\nif (scanf("%d", &v) == 1) printf("twice: %d\\n", 2 * v);', { input: ['21'] });
    ok(asked);
    assert.equal(asked.stdout, 'twice: 42\n');
    const closed = await h.run('int w = 0;\nprintf("%d\\n", scanf("%d", &w));');
    ok(closed);
    assert.equal(closed.stdout, '-1\n');
  });

  test("icuda.h's display output and a cell's output arrive in order", async () => {
    const ran = await h.run('#include <icuda.h>\nprintf("before\\n");\nicuda::display_html("<b>bold</b>");\nprintf("after\\n");');
    ok(ran);
    assert.equal(ran.stdout, 'before\nafter\n');
    assert.deepEqual(
      ran.displays.map((d) => d['text/html']),
      ['<b>bold</b>'],
    );
  });

  test('%check checks the launches of its own cell, whichever cell defined the kernel', async () => {
    ok(await h.run('__global__ void noop() {}'));
    const checked = await h.run('noop<<<2, 32>>>();', { check: true });
    ok(checked);
    assert.match(checked.stderr, /CUDA error after kernel launch #\d+ <<<\(2,1,1\),\(32,1,1\)>>>/);
    const unchecked = await h.run('noop<<<2, 32>>>();\ncudaGetLastError();');
    assert.doesNotMatch(unchecked.stderr, /kernel launch #/);
  });
});
