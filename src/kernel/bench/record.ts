// What a %bench result is, as data: the samples, their statistics, why the measurement
// stopped, the work done per repetition (for bandwidth and throughput), warnings, and the
// environment it came from. It rides in the result's output metadata under `icuda.bench`, so
// an executed notebook carries it and `icuda compare` can read it back.
import type { MachineRecord } from '../../engine/gpu/environment.js';
import type { Stats, StopReason, StopRule } from './statistics.js';

/** What the samples measure. */
export type Measure = 'gpu' | 'host' | 'process';

export const MEASURE_WORDS: Record<Measure, string> = {
  gpu: 'GPU time per repetition (CUDA events)',
  host: 'host time per repetition (the GPU events were unavailable)',
  process: 'process wall time per run (start to exit, CUDA context creation included)',
};

/** The environment of a result: the machine, the toolchain and the exact flags. */
export interface BenchEnvironment {
  machine: MachineRecord;
  /** SM and memory clocks at the end of the measurement (the machine's are from its start). */
  clocksAtEnd: { smClockMHz: (string | null)[]; memClockMHz: (string | null)[] };
  icudaVersion: string;
  nvccVersion: string;
  /** nvcc's flags for the cell: session defaults, then the cell's own. */
  flags: string[];
  /** The arch compiled for when the flags chose none ('' for native). */
  arch: string;
  /** The CUDA runtime and driver a session cell's repetitions ran under (absent for programs). */
  cuda?: CudaRecord;
}

/** The CUDA runtime and driver as the session's runner saw them; null where unknown, and why. */
export interface CudaRecord {
  /** cudaRuntimeGetVersion as "13.0". */
  runtimeVersion: string | null;
  /** cudaDriverGetVersion as "13.0"; null when it says 0 (no driver). */
  driverVersion: string | null;
  device: string | null;
  /** 2 × memory clock × bus width (cudaDevAttrMemoryClockRate, cudaDevAttrGlobalMemoryBusWidth), GB/s. */
  peakBandwidthGBs: number | null;
  /** Field -> why it is null. */
  unavailable: Record<string, string>;
}

/** Work per repetition, when the user stated it (--bytes, --flops), and what it achieved. */
export interface BenchWork {
  bytes?: number;
  flops?: number;
  /** GB/s (10^9 bytes per second) at the median time. */
  bandwidthGBs?: number;
  gflops?: number;
  /** The GPU's peak memory bandwidth (GB/s) and the fraction of it achieved, when known. */
  peakBandwidthGBs?: number;
  fractionOfPeak?: number;
}

export interface BenchRecord {
  /** --name, else "cell[N]". */
  name: string;
  group?: string;
  measure: Measure;
  unit: 'ms';
  /** The measured repetitions, in order (warm-up excluded). */
  samples: number[];
  /** Host times of the same repetitions, when the samples are GPU times. */
  hostSamples?: number[];
  warmup: number;
  stats: Stats;
  stop: { reason: StopReason; rule: StopRule };
  /** Cold runs: the L2 cache flushed before each repetition. */
  cold: boolean;
  work?: BenchWork;
  warnings: string[];
  environment: BenchEnvironment;
}

/** Bandwidth and throughput at the median time, from the work stated per repetition; the
 * bandwidth as a fraction of the GPU's peak when that is known. */
export function achieved(work: { bytes?: number; flops?: number } | undefined, medianMs: number, peakGBs?: number): BenchWork | undefined {
  if (!work || (work.bytes === undefined && work.flops === undefined) || !(medianMs > 0)) return work;
  const perSecond = 1000 / medianMs;
  const bandwidthGBs = work.bytes !== undefined ? (work.bytes * perSecond) / 1e9 : undefined;
  return {
    ...work,
    ...(bandwidthGBs !== undefined ? { bandwidthGBs } : {}),
    ...(work.flops !== undefined ? { gflops: (work.flops * perSecond) / 1e9 } : {}),
    ...(bandwidthGBs !== undefined && peakGBs ? { peakBandwidthGBs: peakGBs, fractionOfPeak: bandwidthGBs / peakGBs } : {}),
  };
}

/** Warnings about the environment: clocks that moved during the measurement (throttling). */
export function clockWarnings(env: BenchEnvironment): string[] {
  const warnings: string[] = [];
  env.machine.gpus.forEach((gpu, i) => {
    const [start, end] = [Number(gpu.smClockMHz), Number(env.clocksAtEnd.smClockMHz[i])];
    if (start > 0 && end > 0 && Math.abs(end - start) / start > 0.05) {
      warnings.push(
        `GPU ${i}'s SM clock moved from ${start} to ${end} MHz during the measurement (throttling or boost): times may not compare`,
      );
    }
  });
  return warnings;
}
