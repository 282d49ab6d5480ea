// Scratch directories: one per kernel, `<tmp>/icuda-<pid>-XXXXXX/`, created on first use, and one
// per execution below it, `runs/<id>/`, removed when the execution ends.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { v4 as uuid } from 'uuid';

export interface Scratch {
  /** A fresh, empty directory for one execution. */
  createRun(): Promise<string>;
  /** Removes one execution's directory. */
  removeRun(dir: string): Promise<void>;
  /** Removes the kernel's directory and everything in it; later runs fail. */
  removeAll(): Promise<void>;
}

/** Scratch space under `tmpRoot` (default: the OS temp dir); `onCreate` hears of the kernel dir. */
export function createScratch(options: { tmpRoot?: string; onCreate?: (dir: string) => void } = {}): Scratch {
  let kernelDir: Promise<string> | undefined;
  let closed = false;
  // Made once; a failed attempt is forgotten so the next execution tries again.
  const ensureKernelDir = () =>
    (kernelDir ??= makeKernelDir(options.tmpRoot ?? tmpdir(), options.onCreate).catch((error: unknown) => {
      kernelDir = undefined;
      throw error;
    }));
  return {
    async createRun() {
      if (closed) throw new Error('scratch space already removed');
      const dir = join(await ensureKernelDir(), 'runs', uuid());
      await mkdir(dir); // not recursive: fails once the kernel dir is gone
      return dir;
    },
    async removeRun(dir) {
      await rm(dir, { recursive: true, force: true });
    },
    async removeAll() {
      closed = true;
      if (kernelDir) await rm(await kernelDir, { recursive: true, force: true });
    },
  };
}

/** Creates `icuda-<pid>-XXXXXX/runs/` and reports the new directory. */
async function makeKernelDir(root: string, onCreate?: (dir: string) => void): Promise<string> {
  const dir = await mkdtemp(join(root, `icuda-${process.pid}-`));
  onCreate?.(dir);
  await mkdir(join(dir, 'runs'));
  return dir;
}
