// Finds processes by where they run: cells run (and compile) inside scratch directories under
// the kernel's TMPDIR, so a process whose working directory lies there was left by a cell.
import { readdir, readFile, readlink } from 'node:fs/promises';

export interface ProcessInfo {
  pid: number;
  cwd: string;
  cmdline: string;
}

/** Every live process whose working directory is under `dir` (zombies excluded). */
export async function processesUnder(dir: string): Promise<ProcessInfo[]> {
  const found: ProcessInfo[] = [];
  for (const entry of await readdir('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    const info = await describe(pid);
    if (info?.cwd.startsWith(dir)) found.push(info);
  }
  return found;
}

/** cwd and argv of one process, or undefined when it is gone or not readable. */
async function describe(pid: number): Promise<ProcessInfo | undefined> {
  try {
    const cwd = await readlink(`/proc/${pid}/cwd`);
    const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replaceAll('\0', ' ').trim();
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    if (/^\d+ \(.*\) Z/.test(stat)) return undefined; // a zombie is already dead
    return { pid, cwd, cmdline };
  } catch {
    return undefined;
  }
}

/** Polls until no process is left under `dir` or `ms` pass; answers what is left. */
export async function waitNoProcessesUnder(dir: string, ms = 3000): Promise<ProcessInfo[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const left = await processesUnder(dir);
    if (left.length === 0 || Date.now() > deadline) return left;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
