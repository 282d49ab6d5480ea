// %bench in batches (session cells): the stop rule decides the count as it would one at a time,
// batches are sized by it, the first repetition alone is shown, a failure names its repetition;
// the session target's GPU and host times, its notes, and the CUDA record with peak bandwidth.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { batchSize, measure, oneByOne, type Batch } from '../../../src/kernel/bench/measure.js';
import { achieved } from '../../../src/kernel/bench/record.js';
import { cudaRecord, cudaVersion, peakBandwidth, sessionTarget } from '../../../src/kernel/bench/session-target.js';
import { DEFAULT_RULE, type StopRule } from '../../../src/kernel/bench/statistics.js';
import type { BatchTimes, SessionBench } from '../../../src/session/session-types.js';

const rule = (extra: Partial<StopRule> = {}): StopRule => ({ ...DEFAULT_RULE, minRuns: 5, maxRuns: 40, budgetMs: 1000, ...extra });
const never = new AbortController().signal;

/** A batch runner answering `times(i)` for repetition i, recording the batches asked for. */
function fakeBatches(times: (i: number) => number, failAt?: number) {
  const asked: [number, number][] = [];
  const run = async (first: number, count: number): Promise<Batch> => {
    asked.push([first, count]);
    const reps = [];
    for (let i = first; i < first + count; i++) {
      if (i === failAt) return { reps, error: { status: 'error', ename: 'RuntimeError', evalue: 'boom', traceback: [] } };
      reps.push({ ms: times(i), hostMs: times(i) + 0.01 });
    }
    return { reps };
  };
  return { run, asked };
}

describe('batched repetitions', () => {
  test('steady times stop at the minimum, in one batch after the warm-up batch', async () => {
    const { run, asked } = fakeBatches(() => 1);
    const measured = await measure(run, 2, rule(), never, true);
    assert.ok(!('status' in measured));
    assert.equal(measured.samples.length, 5);
    assert.equal(measured.reason, 'noise');
    assert.deepEqual(asked, [
      [0, 2],
      [2, 5],
    ]);
    assert.equal(measured.hostSamples.length, 5);
  });

  test('the rule cuts a batch where it would have stopped one by one', async () => {
    const noisy = (i: number) => (i < 6 ? [1, 3][i % 2] : 1);
    const batched = await measure(fakeBatches(noisy).run, 0, rule({ minRuns: 4 }), never, true);
    const single = await measure(fakeBatches(noisy).run, 0, rule({ minRuns: 4 }), never, false);
    assert.ok(!('status' in batched) && !('status' in single));
    assert.deepEqual(batched.samples, single.samples);
  });

  test('-n RUNS is exactly that many, asked for at once', async () => {
    const { run, asked } = fakeBatches(() => 2);
    const measured = await measure(run, 1, rule({ runs: 30 }), never, true);
    assert.ok(!('status' in measured));
    assert.deepEqual([measured.samples.length, measured.reason], [30, 'exact']);
    assert.deepEqual(asked, [
      [0, 1],
      [1, 30],
    ]);
  });

  test('a failed repetition ends the bench, named by its place', async () => {
    const failed = await measure(fakeBatches(() => 1, 4).run, 1, rule(), never, true);
    assert.ok('status' in failed);
    assert.equal(failed.evalue, 'bench run 5: boom');
  });

  test('batch sizes: the minimum first, then what a quarter of the budget left holds, at most 100', () => {
    assert.equal(batchSize([], [], 0, rule({ minRuns: 10 })), 10);
    assert.equal(batchSize(Array(10).fill(1), Array(10).fill(1), 0, rule({ maxRuns: 1000 })), 100);
    assert.equal(batchSize(Array(10).fill(100), Array(10).fill(100), 600, rule({ maxRuns: 1000 })), 1);
    assert.equal(batchSize(Array(38).fill(0.01), [], 0, rule()), 2, 'never past the maximum');
  });

  test('one at a time, the first repetition alone is shown', async () => {
    const shown: boolean[] = [];
    const run = oneByOne(async (_i, show) => (shown.push(show), { outcome: { status: 'ok' }, ms: 1 }));
    await measure(run, 2, rule({ runs: 3 }), never);
    assert.deepEqual(shown, [true, false, false, false, false]);
  });
});

/** A loaded session bench whose batches answer `times`. */
function fakeBench(times: BatchTimes): SessionBench & { shows: boolean[] } {
  const shows: boolean[] = [];
  return {
    shows,
    work: { bytes: 12 },
    info: {
      runtime: 13000,
      driver: 0,
      device: '',
      l2Bytes: 0,
      memoryClockKHz: 0,
      busWidthBits: 0,
      error: 'CUDA driver version is insufficient',
    },
    batch: async (count, show) => (shows.push(show), { ...times, host: times.host.slice(0, count), gpu: times.gpu?.slice(0, count) }),
  };
}

describe('the session target', () => {
  test('GPU times are the samples, host times kept beside them; only the first batch is shown', async () => {
    const bench = fakeBench({ gpu: [0.1, 0.2], host: [0.3, 0.4], notes: [] });
    const target = sessionTarget(bench);
    const first = await target.batch!(0, 2);
    await target.batch!(2, 2);
    assert.deepEqual(first.reps, [
      { ms: 0.1, hostMs: 0.3 },
      { ms: 0.2, hostMs: 0.4 },
    ]);
    assert.deepEqual(bench.shows, [true, false]);
    assert.equal(target.measure(), 'gpu');
    assert.deepEqual(await target.work!(), { bytes: 12 });
  });

  test('without GPU times the samples are host times, and the reason is one note', async () => {
    const note = 'the GPU events failed (no driver): host times only';
    const target = sessionTarget(fakeBench({ gpu: undefined, host: [0.3, 0.4], notes: [note] }));
    assert.deepEqual((await target.batch!(0, 2)).reps, [{ ms: 0.3 }, { ms: 0.4 }]);
    await target.batch!(2, 2);
    assert.equal(target.measure(), 'host');
    assert.deepEqual(target.notes!(), [note]);
  });

  test('the CUDA record: versions, and what is unavailable with the reason', () => {
    assert.deepEqual([cudaVersion(13000), cudaVersion(12080)], ['13.0', '12.8']);
    const noGpu = cudaRecord({ runtime: 13000, driver: 0, device: '', l2Bytes: 0, memoryClockKHz: 0, busWidthBits: 0, error: 'no driver' });
    assert.deepEqual([noGpu.runtimeVersion, noGpu.driverVersion, noGpu.device, noGpu.peakBandwidthGBs], ['13.0', null, null, null]);
    assert.match(noGpu.unavailable.driverVersion, /cudaDriverGetVersion says 0/);
    assert.match(noGpu.unavailable.peakBandwidthGBs, /no driver/);
    assert.match(cudaRecord(undefined).unavailable.runtimeVersion, /did not answer/);
  });

  test("peak bandwidth from the memory clock and bus width (an H100 SXM's figures), and the fraction achieved", () => {
    const peak = peakBandwidth(2_619_000, 5120)!;
    assert.ok(Math.abs(peak - 3352.32) < 0.01, String(peak));
    const h100 = cudaRecord({
      runtime: 12080,
      driver: 12080,
      device: 'NVIDIA H100',
      l2Bytes: 50 << 20,
      memoryClockKHz: 2_619_000,
      busWidthBits: 5120,
      error: '',
    });
    assert.deepEqual(h100.unavailable, {});
    assert.deepEqual(achieved({ bytes: 3352.32e6 }, 2, h100.peakBandwidthGBs!), {
      bytes: 3352.32e6,
      bandwidthGBs: 1676.16,
      peakBandwidthGBs: h100.peakBandwidthGBs,
      fractionOfPeak: 0.5,
    });
  });
});
