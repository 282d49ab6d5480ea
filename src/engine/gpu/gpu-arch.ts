// The GPU's architecture, asked of nvidia-smi once in the background: with it nvcc builds for
// that one arch (-arch=sm_XY) without probing the driver itself, as -arch=native does.
import { execa } from 'execa';

/** "sm_90" when every visible GPU has the same compute capability; '' when unknown. */
export function parseComputeCaps(text: string): string {
  const caps = new Set(
    text
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => /^\d+\.\d+$/.test(line)),
  );
  if (caps.size !== 1) return '';
  return `sm_${[...caps][0].replace('.', '')}`;
}

/** Asks nvidia-smi (never throws; '' when there is none, or no GPU, or it takes over 10 s). */
export async function detectGpuArch(configured: string | undefined, env: NodeJS.ProcessEnv): Promise<string> {
  if (configured !== undefined) return configured;
  const result = await execa('nvidia-smi', ['--query-gpu=compute_cap', '--format=csv,noheader'], {
    env,
    extendEnv: false,
    reject: false,
    timeout: 10_000,
    stdin: 'ignore',
  }).catch(() => undefined);
  return result && result.exitCode === 0 ? parseComputeCaps(String(result.stdout ?? '')) : '';
}
