// What the host machine offers: its GPUs and driver (nvidia-smi), asked once at start.
import { execa } from 'execa';
import type { Gpu } from '../remote/proto.js';

export interface Machine {
  gpus: Gpu[];
  driverVersion: string;
}

/** GPUs from `nvidia-smi`; none (and driver '') when it is missing or fails. */
export async function probeMachine(env: NodeJS.ProcessEnv): Promise<Machine> {
  const result = await execa('nvidia-smi', ['--query-gpu=index,name,memory.total,driver_version', '--format=csv,noheader'], {
    env,
    reject: false,
    timeout: 20_000,
    stdin: 'ignore',
  });
  if (result.exitCode !== 0) return { gpus: [], driverVersion: '' };
  return parseNvidiaSmi(String(result.stdout));
}

/** Parses `index, name, memory, driver` lines. */
export function parseNvidiaSmi(text: string): Machine {
  const rows = text
    .split('\n')
    .map((line) => line.split(',').map((field) => field.trim()))
    .filter((row) => row.length >= 4);
  return {
    gpus: rows.map(([index, name, memory]) => ({ index: Number(index), name: name, memory: memory })),
    driverVersion: rows[0]?.[3] ?? '',
  };
}
