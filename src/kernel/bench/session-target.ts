// %bench's target for a session cell: its statements repeated in batches inside the session's
// runner, each repetition timed on the GPU with CUDA events (and on the host clock); without a
// usable GPU the events fail and the samples are host times, said once in the record's warnings.
// The record also carries the CUDA runtime and driver the runner saw, and the GPU's peak memory
// bandwidth where the device can tell it.
import type { RuntimeInfo, SessionBench } from '../../session/session-types.js';
import type { BenchTarget } from './bench.js';
import type { Batch } from './measure.js';
import type { CudaRecord } from './record.js';

/** The target over a loaded session cell. */
export function sessionTarget(bench: SessionBench): BenchTarget {
  let gpu = true;
  const notes = new Set<string>();
  return {
    async batch(first, count): Promise<Batch> {
      const ran = await bench.batch(count, first === 0);
      if ('status' in ran) return { reps: [], error: ran };
      for (const note of ran.notes) notes.add(note);
      if (!ran.gpu) gpu = false;
      const reps = ran.host.map((hostMs, i) => (ran.gpu ? { ms: ran.gpu[i], hostMs } : { ms: hostMs }));
      return ran.error ? { reps, error: ran.error } : { reps };
    },
    measure: () => (gpu ? 'gpu' : 'host'),
    work: async () => bench.work,
    notes: () => [...notes],
    cuda: () => cudaRecord(bench.info),
  };
}

/** "13.0" for 13000, "12.8" for 12080. */
export function cudaVersion(version: number): string {
  return `${Math.floor(version / 1000)}.${Math.floor((version % 1000) / 10)}`;
}

/** Peak memory bandwidth in GB/s: two transfers per clock (DDR) across the bus. */
export function peakBandwidth(memoryClockKHz: number, busWidthBits: number): number | null {
  return memoryClockKHz > 0 && busWidthBits > 0 ? (2 * memoryClockKHz * 1e3 * (busWidthBits / 8)) / 1e9 : null;
}

/** The runner's info as the record keeps it: null fields say why in `unavailable`. */
export function cudaRecord(info: RuntimeInfo | undefined): CudaRecord {
  if (!info) {
    const why = 'the session runner did not answer';
    return {
      runtimeVersion: null,
      driverVersion: null,
      device: null,
      peakBandwidthGBs: null,
      unavailable: { runtimeVersion: why, driverVersion: why, device: why, peakBandwidthGBs: why },
    };
  }
  const unavailable: Record<string, string> = {};
  if (info.runtime <= 0) unavailable.runtimeVersion = 'cudaRuntimeGetVersion gave no version';
  if (info.driver <= 0) unavailable.driverVersion = 'cudaDriverGetVersion says 0: no CUDA driver on this machine';
  if (info.error) unavailable.device = unavailable.peakBandwidthGBs = `the device could not be asked: ${info.error}`;
  const peak = info.error ? null : peakBandwidth(info.memoryClockKHz, info.busWidthBits);
  if (peak === null && !info.error) unavailable.peakBandwidthGBs = 'the device reports no memory clock or bus width';
  return {
    runtimeVersion: info.runtime > 0 ? cudaVersion(info.runtime) : null,
    driverVersion: info.driver > 0 ? cudaVersion(info.driver) : null,
    device: info.error ? null : info.device,
    peakBandwidthGBs: peak,
    unavailable,
  };
}
