// Scratch directories: one per kernel, `<tmp>/icuda-<pid>-XXXXXX/`, created on first use, and one
// per execution below it, `runs/<id>/`, each new and empty. An execution's directory is removed
// when it ends, in the background (discardRun): its cell answers without waiting for the file
// system, no later execution ever sees it (each gets a directory of its own), and removeAll
// waits for every removal still under way.
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Scratch {
  /** A fresh, empty directory for one execution. */
  createRun(): Promise<string>;
  /** The same, named at once and made meanwhile (`made`), so work that does not need it yet
   * (a cache lookup) can go on; nothing may be put in it before `made` resolves. */
  reserveRun(): Promise<{ dir: string; made: Promise<void> }>;
  /** Removes one execution's directory. */
  removeRun(dir: string): Promise<void>;
  /** Removes one execution's directory in the background (a failure is ignored: removeAll
   * takes what is left). */
  discardRun(dir: string): void;
  /** Removes the kernel's directory and everything in it, once the removals under way are
   * done; later runs fail. */
  removeAll(): Promise<void>;
}

/** Scratch space under `tmpRoot` (default: the OS temp dir); `onCreate` hears of the kernel dir. */
export function createScratch(options: { tmpRoot?: string; onCreate?: (dir: string) => void } = {}): Scratch {
  let kernelDir: Promise<string> | undefined;
  let closed = false;
  const removing = new Set<Promise<void>>();
  // Made once; a failed attempt is forgotten so the next execution tries again.
  const ensureKernelDir = () =>
    (kernelDir ??= makeKernelDir(options.tmpRoot ?? tmpdir(), options.onCreate).catch((error: unknown) => {
      kernelDir = undefined;
      throw error;
    }));
  const removeRun = (dir: string) => rm(dir, { recursive: true, force: true });
  return {
    async createRun() {
      const run = await this.reserveRun();
      await run.made;
      return run.dir;
    },
    async reserveRun() {
      if (closed) throw new Error('scratch space already removed');
      const dir = join(await ensureKernelDir(), 'runs', randomUUID());
      return { dir, made: mkdir(dir).then(() => undefined) }; // not recursive: fails once the kernel dir is gone
    },
    removeRun,
    discardRun(dir) {
      const removal = removeRun(dir).catch(() => undefined);
      removing.add(removal);
      void removal.finally(() => removing.delete(removal));
    },
    async removeAll() {
      closed = true;
      await Promise.all(removing);
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
