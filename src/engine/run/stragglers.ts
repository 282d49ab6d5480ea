// Processes a cell left behind outside its process group (a daemon that called setsid, a
// double fork): every program runs with a marker in its environment, which children inherit,
// and after the cell the kernel kills whatever still carries it. Linux /proc only; elsewhere a
// no-op. The sweep runs after the outcome is known, off the request path.
import { readdir, readFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';

const VARIABLE = 'ICUDA_RUN_MARK';
let sweeping: Promise<number> = Promise.resolve(0);

/** A fresh marker, as the environment entry a program should carry. */
export function runMarker(): { name: string; value: string } {
  return { name: VARIABLE, value: randomUUID() };
}

/** Kills (SIGKILL) every process whose environment carries the marker; resolves with how many.
 * Sweeps run one after another. */
export function sweepStragglers(marker: { name: string; value: string }): Promise<number> {
  sweeping = sweeping.catch(() => 0).then(() => sweep(Buffer.from(`${marker.name}=${marker.value}\0`)));
  return sweeping;
}

/** Sweeps now and twice more in the next seconds (a double fork may still be under way when
 * the program exits); never keeps the process alive. */
export function sweepSoonAndLater(marker: { name: string; value: string }): void {
  void sweepStragglers(marker);
  for (const ms of [500, 3000]) setTimeout(() => void sweepStragglers(marker), ms).unref();
}

/** One pass over /proc. */
async function sweep(needle: Buffer): Promise<number> {
  const pids = (await readdir('/proc').catch(() => [] as string[])).filter((name) => /^\d+$/.test(name) && Number(name) !== process.pid);
  const found = await Promise.all(
    pids.map(async (pid) => {
      const environ = await readFile(`/proc/${pid}/environ`).catch(() => undefined);
      return environ?.includes(needle) ? Number(pid) : undefined;
    }),
  );
  let killed = 0;
  for (const pid of found) {
    if (pid === undefined) continue;
    try {
      process.kill(pid, 'SIGKILL');
      killed++;
    } catch {
      /* gone already */
    }
  }
  return killed;
}
