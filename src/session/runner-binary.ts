// The session runner's executable: built from native/runner.cpp (and its headers) by nvcc on first use, once per
// toolchain, and kept in the compile cache's directory under a key of its source and the nvcc.
import { createHash } from 'node:crypto';
import { access, mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { packageRoot } from '../package-info.js';
import { errorOutcome } from '../engine/errors.js';
import type { ErrorOutcome } from '../engine/outcome.js';

const NATIVE = join(packageRoot, 'src', 'session', 'native');
export const RUNNER_SOURCE = join(NATIVE, 'runner.cpp');
const NAME = 'icuda-session-runner';
const building = new Map<string, Promise<string | ErrorOutcome>>();

export interface RunnerToolchain {
  nvcc: string;
  nvccVersion: string;
  env: NodeJS.ProcessEnv;
  /** Where built runners are kept (the compile cache's directory). */
  dir: string;
}

/** The runner's path, built when missing; an ErrorOutcome when nvcc cannot build it. */
export async function runnerBinary(toolchain: RunnerToolchain): Promise<string | ErrorOutcome> {
  const source = await nativeSources();
  const args = ['-cudart', 'shared', '-Xlinker', '--export-dynamic', '-ldl', ...(await rpathFlags(toolchain.nvcc))];
  const key = createHash('sha256')
    .update(JSON.stringify([source, toolchain.nvcc, toolchain.nvccVersion, args]))
    .digest('hex');
  const path = join(toolchain.dir, 'session-runner', key.slice(0, 24), NAME);
  let build = building.get(path);
  if (!build) {
    build = ensureBuilt(path, toolchain, args);
    building.set(path, build);
    build.then((result) => typeof result !== 'string' && building.delete(path)).catch(() => building.delete(path));
  }
  return build;
}

/** Builds the runner at `path` unless it is there (built in a temp dir, renamed into place). */
async function ensureBuilt(path: string, toolchain: RunnerToolchain, args: string[]): Promise<string | ErrorOutcome> {
  if (await exists(path)) return path;
  const tmp = `${dirname(path)}.tmp-${process.pid}-${Date.now()}`;
  await mkdir(tmp, { recursive: true });
  try {
    const result = await execa(toolchain.nvcc, ['-o', join(tmp, NAME), RUNNER_SOURCE, ...args], {
      env: toolchain.env,
      extendEnv: false,
      reject: false,
      all: true,
      stdin: 'ignore',
      timeout: 300_000,
    });
    if (result.exitCode !== 0) {
      const text = String(result.all ?? '').trim();
      return errorOutcome('SessionError', 'could not build the session runner with nvcc', [
        'SessionError: could not build the session runner',
        text,
      ]);
    }
    await rename(tmp, dirname(path)).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error; // another kernel was first
    });
    return path;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** -rpath to the CUDA runtime beside nvcc, so the runner finds libcudart however it was installed. */
async function rpathFlags(nvcc: string): Promise<string[]> {
  const flags: string[] = [];
  for (const dir of [join(dirname(nvcc), '..', 'lib64'), join(dirname(nvcc), '..', 'lib')]) {
    const names = await readdir(dir).catch(() => [] as string[]);
    if (names.some((name) => name.startsWith('libcudart.so'))) flags.push('-Xlinker', '-rpath', '-Xlinker', dir);
  }
  return flags;
}

/** runner.cpp and the headers it includes, in name order: what the runner is built from. */
async function nativeSources(): Promise<string[]> {
  const names = (await readdir(NATIVE)).filter((name) => /\.(cpp|h)$/.test(name)).sort();
  return Promise.all(names.map(async (name) => `${name}\n${await readFile(join(NATIVE, name), 'utf8')}`));
}

/** Whether a path exists. */
async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
