// Session cells on a real GPU (skipped without one): kernels of one cell launched from another
// compute real results, a redefined kernel is the one that runs, device printf lands in its
// cell, %check catches a bad launch, an illegal address restarts the session, and a spinning
// kernel is interrupted within a second. Nothing here is faked: without a GPU it does not run.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { detectGpuArch } from '../../src/engine/gpu/gpu-arch.js';
import { noNvcc, SessionHarness, type Ran } from './session-harness.js';

const arch = noNvcc ? '' : await detectGpuArch(undefined, process.env);
const skip = noNvcc ?? (arch ? undefined : 'no GPU (nvidia-smi reports none)');

/** Asserts the cell succeeded. */
function ok(ran: Ran): void {
  assert.equal(ran.outcome.status, 'ok', ran.said);
}

describe('session cells on a GPU', { skip }, () => {
  let h: SessionHarness;
  before(async () => (h = await SessionHarness.open(arch)));
  after(async () => h?.close());

  test("a kernel of one cell, launched from another, computes on another cell's data", async () => {
    ok(
      await h.run(
        'const int n = 1 << 20;\nfloat *x = nullptr;\ncudaMallocManaged(&x, n * sizeof(float));\nfor (int i = 0; i < n; i++) x[i] = i;',
      ),
    );
    ok(
      await h.run(
        '__device__ float twice(float v) { return 2 * v; }\n__global__ void scale(float *v, float s, int n) {\n  int i = blockIdx.x * blockDim.x + threadIdx.x;\n  if (i < n) v[i] = twice(v[i]) * s;\n}',
      ),
    );
    const ran = await h.run(
      'scale<<<(n + 255) / 256, 256>>>(x, 3.0f, n);\nprintf("%s %.1f %.1f\\n", cudaGetErrorString(cudaDeviceSynchronize()), x[10], x[n - 1]);',
    );
    ok(ran);
    assert.equal(ran.stdout, `no error 60.0 ${(6 * ((1 << 20) - 1)).toFixed(1)}\n`);
    assert.equal(ran.stderr, '', 'no notice: nothing went wrong');
  });

  test('a redefined kernel is the one that runs', async () => {
    ok(await h.run('__global__ void fill(float *v) { v[threadIdx.x] = 1; }'));
    ok(await h.run('fill<<<1, 32>>>(x);\ncudaDeviceSynchronize();\nprintf("%.0f\\n", x[5]);'));
    ok(await h.run('__global__ void fill(float *v) { v[threadIdx.x] = 2; }'));
    const ran = await h.run('fill<<<1, 32>>>(x);\ncudaDeviceSynchronize();\nprintf("%.0f\\n", x[5]);');
    assert.equal(ran.stdout, '2\n', ran.said);
  });

  test('device printf lands in the cell that launched it, without a synchronize of its own', async () => {
    ok(await h.run('__global__ void hello() { printf("from gpu %d\\n", threadIdx.x); }'));
    const ran = await h.run('hello<<<1, 4>>>();');
    ok(ran);
    assert.deepEqual(ran.stdout.trim().split('\n').sort(), ['from gpu 0', 'from gpu 1', 'from gpu 2', 'from gpu 3']);
  });

  test('%check reports a bad launch at the launch; the session is intact', async () => {
    ok(await h.run('__global__ void noop() {}'));
    const ran = await h.run('noop<<<1, 4096>>>();', { check: true });
    assert.match(ran.stderr, /CUDA error after kernel launch #\d+ <<<\(1,1,1\),\(4096,1,1\)>>>: invalid configuration argument/);
    ok(await h.run('printf("%.1f\\n", x[10]);'));
  });

  test('an illegal address loses the context: the session restarts, says so, and works again', async () => {
    ok(await h.run('__global__ void bad(int *p) { *p = 1; }'));
    const ran = await h.run('bad<<<1, 1>>>((int *)0x10);\ncudaDeviceSynchronize();');
    assert.equal(ran.outcome.status === 'error' && ran.outcome.ename, 'CudaContextLost', ran.said);
    assert.match(ran.said, /cudaErrorIllegalAddress/);
    assert.match(ran.said, /The session was restarted/);
    const fresh = await h.run('float *y = nullptr;\nprintf("%s\\n", cudaGetErrorString(cudaMalloc(&y, 4)));');
    assert.equal(fresh.stdout, 'no error\n', fresh.said);
  });

  test('a spinning kernel is interrupted within a second (the runner is killed: the state is lost)', async () => {
    ok(await h.run('__global__ void spin(volatile int *flag) { while (*flag == 0) {} }'));
    const ran = await h.run(
      'int *flag = nullptr;\ncudaMalloc(&flag, sizeof(int));\ncudaMemset(flag, 0, sizeof(int));\nspin<<<1, 1>>>(flag);\ncudaDeviceSynchronize();',
      { abortAfterMs: 20_000 },
    );
    assert.equal(ran.outcome.status === 'error' && ran.outcome.ename, 'Interrupted', ran.said);
    assert.ok((ran.stopMs ?? 9999) < 1000, `control came back in ${ran.stopMs} ms`);
    const after = await h.run('float *z = nullptr;\nprintf("%s\\n", cudaGetErrorString(cudaMalloc(&z, 1 << 20)));');
    assert.equal(after.stdout, 'no error\n', after.said);
  });
});
