// Finds the CUDA tools beside nvcc (cuobjdump, nvdisasm, ncu, nsys, compute-sanitizer, nvidia-smi).
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import type { ToolPlaces } from './toolchain.js';

/** Where the tools are looked for, and the environment they run with. */
export interface ToolEnv {
  places: ToolPlaces;
  env: NodeJS.ProcessEnv;
}

/** Where a tool may be, in order: PATH, CUDA_HOME/bin, CUDA_PATH/bin, beside nvcc, /usr/local/cuda/bin. */
export function toolCandidates(name: string, where: ToolPlaces, nvcc?: string): string[] {
  const dirs = where.path.split(delimiter).filter(Boolean);
  for (const home of [where.cudaHome, where.cudaPath]) if (home) dirs.push(join(home, 'bin'));
  if (nvcc) dirs.push(dirname(nvcc));
  dirs.push('/usr/local/cuda/bin');
  return [...new Set(dirs.map((dir) => join(dir, name)))];
}

/** The first executable file among the candidates, or undefined. */
export async function findTool(name: string, where: ToolPlaces, nvcc?: string): Promise<string | undefined> {
  for (const path of toolCandidates(name, where, nvcc)) {
    try {
      await access(path, constants.X_OK);
      if ((await stat(path)).isFile()) return path;
    } catch {
      /* not here */
    }
  }
  return undefined;
}
