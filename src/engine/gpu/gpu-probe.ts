// What GPUs there are: nvidia-smi asked once in the background at kernel start (for the banner,
// never awaited by kernel_info), and, for %gpuinfo, a tiny CUDA program asking the runtime.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import type { ToolPlaces } from '../toolchain/toolchain.js';
import { findTool } from '../toolchain/tools.js';

export interface Gpu {
  index: string;
  name: string;
  cc: string;
  memoryMiB: string;
  sms: string;
  smClockMHz: string;
  memClockMHz: string;
  driver: string;
}

/** GPUs found, or why none: `reason` says so plainly. */
export type GpuLookup = { gpus: Gpu[]; reason?: string };

const SMI_FIELDS = 'index,name,compute_cap,memory.total,clocks.max.sm,clocks.max.memory,driver_version';

/** nvidia-smi's CSV rows (no header, no units) as GPUs; SM count is not among its fields. */
export function parseSmi(text: string): Gpu[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [index, name, cc, memoryMiB, smClockMHz, memClockMHz, driver] = line.split(',').map((f) => f.trim());
      return {
        index: index ?? '',
        name: name ?? '',
        cc: cc ?? '',
        memoryMiB: memoryMiB ?? '',
        sms: '',
        smClockMHz: smClockMHz ?? '',
        memClockMHz: memClockMHz ?? '',
        driver: driver ?? '',
      };
    });
}

/** Asks nvidia-smi, when there is one. */
export async function querySmi(where: ToolPlaces, env: NodeJS.ProcessEnv): Promise<GpuLookup> {
  const smi = await findTool('nvidia-smi', where);
  if (!smi) return { gpus: [], reason: 'nvidia-smi not found' };
  const result = await execa(smi, [`--query-gpu=${SMI_FIELDS}`, '--format=csv,noheader,nounits'], {
    env,
    extendEnv: false,
    reject: false,
    timeout: 20_000,
    stdin: 'ignore',
  });
  if (result.exitCode !== 0)
    return {
      gpus: [],
      reason: `nvidia-smi failed: ${
        String(result.stdout || result.stderr)
          .trim()
          .split('\n')[0]
      }`,
    };
  const gpus = parseSmi(String(result.stdout));
  return gpus.length > 0 ? { gpus } : { gpus: [], reason: 'nvidia-smi lists no GPU' };
}

/** The banner's words for a lookup: "GPU 0: NVIDIA H200 (sm_90)", "no GPU found", or '' while unknown. */
export function bannerGpu(lookup: GpuLookup | undefined): string {
  if (!lookup) return '';
  if (lookup.gpus.length === 0) return 'no GPU found';
  return lookup.gpus.map((g) => `GPU ${g.index}: ${g.name} (sm_${g.cc.replace('.', '')})`).join(', ');
}

const PROBE = `#include <cstdio>
#include <cuda_runtime.h>
int main() {
  int n = 0, driver = 0;
  cudaDriverGetVersion(&driver);
  cudaError_t err = cudaGetDeviceCount(&n);
  if (err != cudaSuccess) { printf("error\\t%s\\n", cudaGetErrorString(err)); return 0; }
  for (int i = 0; i < n; i++) {
    cudaDeviceProp p; cudaGetDeviceProperties(&p, i);
    int clock = 0, memClock = 0;
    cudaDeviceGetAttribute(&clock, cudaDevAttrClockRate, i);
    cudaDeviceGetAttribute(&memClock, cudaDevAttrMemoryClockRate, i);
    printf("gpu\\t%d\\t%s\\t%d.%d\\t%zu\\t%d\\t%d\\t%d\\t%d.%d\\n", i, p.name, p.major, p.minor, p.totalGlobalMem >> 20,
      p.multiProcessorCount, clock / 1000, memClock / 1000, driver / 1000, (driver % 1000) / 10);
  }
  return 0;
}
`;

/** Compiles and runs the probe program in `dir`; its answer, or why it gave none. */
export async function probeWithCuda(nvcc: string, dir: string, env: NodeJS.ProcessEnv, signal: AbortSignal): Promise<GpuLookup> {
  await writeFile(join(dir, 'probe.cu'), PROBE);
  const options = {
    cwd: dir,
    env: { ...env, TMPDIR: dir },
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
    timeout: 120_000,
    cancelSignal: signal,
  } as const;
  const built = await execa(nvcc, ['-o', 'probe', 'probe.cu'], options);
  if (built.exitCode !== 0) return { gpus: [], reason: 'the CUDA probe program did not compile' };
  const ran = await execa(join(dir, 'probe'), [], { ...options, timeout: 30_000 });
  const lines = String(ran.stdout ?? '')
    .split('\n')
    .map((line) => line.split('\t'));
  const error = lines.find((f) => f[0] === 'error');
  if (error) return { gpus: [], reason: `the CUDA runtime says: ${error[1]}` };
  const gpus = lines
    .filter((f) => f[0] === 'gpu')
    .map(([, index, name, cc, memoryMiB, sms, smClockMHz, memClockMHz, driver]) => ({
      index: index,
      name: name,
      cc: cc,
      memoryMiB: memoryMiB,
      sms: sms,
      smClockMHz: smClockMHz,
      memClockMHz: memClockMHz,
      driver: driver,
    }));
  return gpus.length > 0
    ? { gpus }
    : { gpus: [], reason: ran.exitCode === 0 ? 'the CUDA runtime sees no GPU' : 'the CUDA probe program failed' };
}

/** nvidia-smi's rows completed by the probe's (SM count), or whichever found GPUs. */
export function mergeLookups(smi: GpuLookup, cuda: GpuLookup): GpuLookup {
  if (cuda.gpus.length === 0) return smi.gpus.length > 0 ? smi : { gpus: [], reason: [cuda.reason, smi.reason].filter(Boolean).join('; ') };
  return { gpus: cuda.gpus.map((g) => ({ ...g, driver: smi.gpus.find((s) => s.index === g.index)?.driver || g.driver })) };
}

/** The host compiler nvcc uses: the first line of `g++ --version` (or of -ccbin's). */
export async function hostCompiler(env: NodeJS.ProcessEnv, ccbin = 'g++'): Promise<string> {
  const result = await execa(ccbin, ['--version'], { env, extendEnv: false, reject: false, timeout: 20_000, stdin: 'ignore' });
  return result.exitCode === 0 ? String(result.stdout).split('\n')[0] : `${ccbin} not found`;
}
