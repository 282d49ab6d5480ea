// Finds nvcc and asks its version, once, in the background; never blocks kernel_info.
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { execa } from 'execa';

export interface Toolchain {
  nvcc: string;
  /** "13.0", or '' when `nvcc --version` did not say. */
  version: string;
}

/** Where to look for nvcc and the CUDA tools (from the settings NVCC, CUDA_HOME, CUDA_PATH, PATH). */
export interface ToolPlaces {
  nvcc?: string;
  cudaHome?: string;
  cudaPath?: string;
  /** A search path, ':'-separated. */
  path: string;
}

export type ToolchainLookup = { found: true; toolchain: Toolchain } | { found: false; looked: string[] };

/** Where nvcc may be, in order: NVCC, CUDA_HOME/bin, CUDA_PATH/bin, PATH, /usr/local/cuda/bin. */
export function nvccCandidates(where: ToolPlaces): string[] {
  const places: string[] = [];
  if (where.nvcc) places.push(where.nvcc);
  for (const home of [where.cudaHome, where.cudaPath]) if (home) places.push(join(home, 'bin', 'nvcc'));
  for (const dir of where.path.split(delimiter)) if (dir) places.push(join(dir, 'nvcc'));
  places.push('/usr/local/cuda/bin/nvcc');
  return [...new Set(places)];
}

/** The first candidate that is an executable file, with its version (`env`: nvcc's environment). */
export async function findToolchain(where: ToolPlaces, env: NodeJS.ProcessEnv): Promise<ToolchainLookup> {
  const looked = nvccCandidates(where);
  for (const nvcc of looked) {
    if (await isExecutable(nvcc)) return { found: true, toolchain: { nvcc, version: await nvccVersion(nvcc, env) } };
  }
  return { found: false, looked };
}

/** "X.Y" from `nvcc --version` ("Cuda compilation tools, release 13.0, V13.0.88"). */
export function parseNvccVersion(text: string): string {
  return /release (\d+\.\d+)/.exec(text)?.[1] ?? '';
}

/** Asks nvcc its version; '' when it will not say within 30 s. */
async function nvccVersion(nvcc: string, env: NodeJS.ProcessEnv): Promise<string> {
  const result = await execa(nvcc, ['--version'], { env, extendEnv: false, reject: false, timeout: 30_000, stdin: 'ignore' });
  return parseNvccVersion(String(result.stdout ?? ''));
}

/** Whether a path is a file we may execute. */
async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
