// Finds scratch directories a kernel left behind. Layout (src/engine/scratch.ts): each kernel
// owns `$TMPDIR/icuda-<pid>-XXXXXX/`, and each execution runs in `runs/<id>/` below it; the
// kernel's own directory must vanish with the kernel.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Leftover execution directories, and directories of kernels that are dead. */
export async function leftoverScratch(tmp: string): Promise<string[]> {
  const left: string[] = [];
  for (const name of await readdir(tmp).catch(() => [])) {
    const match = /^icuda-(\d+)-/.exec(name);
    if (!match) continue;
    const dir = join(tmp, name);
    if (!alive(Number(match[1]))) left.push(dir);
    for (const run of await readdir(join(dir, 'runs')).catch(() => [])) left.push(join(dir, 'runs', run));
  }
  return left;
}

/** Polls until nothing is left or `ms` pass; answers what is left. */
export async function scratchDirsUnder(tmp: string, ms = 2000): Promise<string[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const left = await leftoverScratch(tmp);
    if (left.length === 0 || Date.now() > deadline) return left;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Whether a process with this pid exists (signal 0 probes without sending anything). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
