// Finds the CUDA tools beside nvcc (cuobjdump, nvdisasm, ncu, nsys, compute-sanitizer, nvidia-smi).
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';

/** Where a tool may be, in order: $PATH, $CUDA_HOME/bin, $CUDA_PATH/bin, beside nvcc, /usr/local/cuda/bin. */
export function toolCandidates(name: string, env: NodeJS.ProcessEnv, nvcc?: string): string[] {
  const dirs = (env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const home of [env.CUDA_HOME, env.CUDA_PATH]) if (home) dirs.push(join(home, 'bin'));
  if (nvcc) dirs.push(dirname(nvcc));
  dirs.push('/usr/local/cuda/bin');
  return [...new Set(dirs.map((dir) => join(dir, name)))];
}

/** The first executable file among the candidates, or undefined. */
export async function findTool(name: string, env: NodeJS.ProcessEnv, nvcc?: string): Promise<string | undefined> {
  for (const path of toolCandidates(name, env, nvcc)) {
    try {
      await access(path, constants.X_OK);
      if ((await stat(path)).isFile()) return path;
    } catch {
      /* not here */
    }
  }
  return undefined;
}
