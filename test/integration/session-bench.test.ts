// %bench on a session cell through the kernel: the statements repeated in the session's runner
// (state they change lives on), the first repetition's output alone shown, GPU times or (here,
// without a GPU) host times with one notice, the statistics and the record with the CUDA runtime
// and driver (unavailable ones marked), --bytes evaluated in C++, failures, groups. Also %%ptx,
// %%sass and %resources on session cells.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { missingClient, streamText, TestKernel, type Exchange } from '../support/jupyter.js';
import type { BenchRecord } from '../../src/kernel/bench/record.js';
import { displays, errorOf, ok } from './session-client.js';

const skip = missingClient();

/** The bench record a cell's result table carries. */
function recordOf(ex: Exchange): BenchRecord {
  const table = ex.iopub.find((m) => m.msg_type === 'display_data' && m.content.metadata?.icuda?.bench);
  assert.ok(table, 'a result table with its record');
  return table.content.metadata.icuda.bench as BenchRecord;
}

describe('%bench on a session cell', { skip }, () => {
  let k: TestKernel;
  before(async () => {
    k = await TestKernel.start();
  });
  after(async () => {
    await k?.close();
  });

  test('repetitions run in the session: state moves, the first output alone is shown, host times without a GPU', async () => {
    ok(
      await k.execute(
        '#include <cstdio>\nconst int n = 1 << 20;\nint calls = 0;\nfloat *d_v = nullptr;\ncudaMalloc(&d_v, n * sizeof(float));',
      ),
    );
    const ex = await k.execute(
      '%bench -n 5 -w 2 --bytes "n * sizeof(float) * 3"\ncalls += 1;\ncudaMemset(d_v, 0, n * sizeof(float));\nprintf("call %d\\n", calls);',
    );
    ok(ex);
    assert.equal(streamText(ex, 'stdout'), 'call 1\n', "only the first repetition's output");
    const record = recordOf(ex);
    assert.equal(record.samples.length, 5);
    assert.equal(record.warmup, 2);
    assert.equal(record.stop.reason, 'exact');
    for (const key of ['min', 'median', 'mean', 'max', 'stddev', 'rsd'] as const) assert.equal(typeof record.stats[key], 'number', key);
    assert.equal(record.work?.bytes, (1 << 20) * 4 * 3, '--bytes evaluated in C++ with the session names');
    const cuda = record.environment.cuda!;
    assert.match(cuda.runtimeVersion ?? '', /^\d+\.\d+$/);
    if (record.measure === 'host') {
      assert.equal(record.hostSamples, undefined);
      assert.equal(record.work?.bandwidthGBs, undefined, 'no bandwidth from host times');
      assert.match(
        streamText(ex, 'stderr'),
        /^icuda %bench: the GPU events failed \(.+\): host times only, so no bandwidth or throughput\n$/,
      );
      assert.deepEqual(record.warnings, [record.warnings[0]]);
      assert.equal(cuda.driverVersion, null);
      assert.match(cuda.unavailable.driverVersion, /cudaDriverGetVersion says 0/);
      assert.equal(cuda.peakBandwidthGBs, null);
      assert.ok(cuda.unavailable.peakBandwidthGBs);
      assert.match(
        displays(ex)[0],
        /^5 runs after 2 warm-up, host time per repetition \(the GPU events were unavailable\); stopped: the runs asked for\n/,
      );
    } else {
      assert.equal(record.measure, 'gpu');
      assert.equal(record.hostSamples?.length, 5);
      assert.ok((record.work?.bandwidthGBs ?? 0) > 0);
    }
    const counted = await k.execute('printf("%d\\n", calls);');
    assert.equal(streamText(counted, 'stdout'), '7\n', 'warm-up and measured repetitions all ran the statements');
  });

  test('the stop rule decides the count; --cold says when it cannot flush; a group compares results', async () => {
    ok(await k.execute('__global__ void touch(float *v, int n) { int i = blockIdx.x * blockDim.x + threadIdx.x; if (i < n) v[i] += 1; }'));
    const first = await k.execute('%bench --budget 0.3 --min 5 --max 60 --name touch --group variants\ntouch<<<n / 256, 256>>>(d_v, n);');
    ok(first);
    const record = recordOf(first);
    assert.ok(record.samples.length >= 5 && record.samples.length <= 60, String(record.samples.length));
    assert.ok(['noise', 'budget', 'max'].includes(record.stop.reason));
    const cold = await k.execute('%bench -n 3 --cold --name cold --group variants\ntouch<<<n / 256, 256>>>(d_v, n);');
    ok(cold);
    assert.equal(recordOf(cold).cold, true);
    if (recordOf(cold).measure === 'host') assert.match(streamText(cold, 'stderr'), /--cold: the L2 cache could not be flushed \(/);
    const group = displays(cold).find((text) => text.startsWith('variants:'));
    assert.match(group ?? '', /^variants:\n {2}touch {2}median [\d.]+ ms\n {2}cold {2}median [\d.]+ ms$/);
  });

  test('a bad --bytes is a compile error naming the option; a failing repetition ends the bench', async () => {
    const bad = errorOf(await k.execute('%bench -n 2 --bytes "no_such_name * 4"\ncalls += 1;'));
    assert.equal(bad.ename, 'CompileError');
    assert.ok(
      bad.traceback.some((line) => line.startsWith('%bench --bytes(1): error') && line.includes('no_such_name')),
      bad.traceback.join('\n'),
    );
    const failing = errorOf(
      await k.execute('%bench -n 5 -w 1\n#include <stdexcept>\nif (++calls % 3 == 0) throw std::runtime_error("every third");'),
    );
    assert.equal(failing.ename, 'RuntimeError');
    assert.match(failing.evalue, /^(warm-up|bench) run \d of 6: uncaught exception: every third$/);
    const refused = errorOf(await k.execute('%bench -n 2\nint fresh = 1;'));
    assert.deepEqual(
      [refused.ename, refused.evalue],
      ['SessionError', "%bench times a session cell's statements, and this cell has none: add the launch or call to time"],
    );
  });
});

describe('assembly views of session cells', { skip }, () => {
  let k: TestKernel;
  before(async () => {
    k = await TestKernel.start();
  });
  after(async () => {
    await k?.close();
  });

  test("%%ptx shows a kernel that uses an earlier cell's type, its resources headed without our namespaces", async () => {
    ok(await k.execute('struct Pair { float a, b; };'));
    const ptx = await k.execute('%%ptx\n__global__ void sum(Pair *p, float *out) { *out = p->a + p->b; }');
    ok(ptx);
    const text = streamText(ptx, 'stdout');
    assert.match(text, /^\/\/ sum\(Pair\*, float\*\) \[sm_\d+\]: \d+ registers, \d+ B shared/);
    assert.match(text, /\.visible \.entry \S*3sumEP/);
    const missing = await k.execute('sum<<<1, 1>>>(nullptr, nullptr);');
    assert.equal(errorOf(missing).ename, 'CompileError', '%%ptx only shows: the kernel is not defined in the session');
  });

  test('%resources prints the summary, then the cell runs; %%sass shows SASS or names the missing tool', async () => {
    const ran = await k.execute('%resources\n__global__ void thrice(float *a) { a[threadIdx.x] *= 3; }\nprintf("ran\\n");');
    ok(ran);
    assert.match(streamText(ran, 'stdout'), /^thrice\(float\*\) \[sm_\d+\]: \d+ registers, .*\nran\n$/);
    const sass = await k.execute('%%sass\n__global__ void twice(float *a) { a[threadIdx.x] *= 2; }');
    if (sass.reply.content.status === 'ok') assert.match(streamText(sass, 'stdout'), /Function : \S*twice/);
    else assert.equal(errorOf(sass).ename, 'ToolNotFound');
  });
});
