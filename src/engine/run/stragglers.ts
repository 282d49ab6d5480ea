// Processes a cell left behind outside its process group (a daemon that called setsid, a
// double fork): every program runs with a marker in its environment, which children inherit,
// and after the cell the kernel kills whatever still carries it. Linux /proc only; elsewhere a
// no-op. The sweeps run off the request path: a pass over /proc reads every process's
// environment, so the first waits SWEEP_AFTER_MS[0] after the program's end (its cell has
// answered by then), passes are at least GAP_MS apart and each checks every marker still due
// (cells that end close together share one), and the reaper's watchdog does the reading and
// killing in its own process (an in-process pass, the fallback, keeps READERS files open at a
// time, leaving the rest of libuv's thread pool to the next cell). Each marker is looked for
// at each of SWEEP_AFTER_MS after its program ended (a double fork may still be under way): an
// escaped daemon is killed within a second of its cell's end, and no look is skipped.
import { readdir, readFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import type { Reaper } from './reaper.js';

const VARIABLE = 'ICUDA_RUN_MARK';
/** When after a program's end its marker is looked for, in ms. */
export const SWEEP_AFTER_MS = [150, 500, 3000];
/** The least time between two passes over /proc. */
const GAP_MS = 100;
/** Files of /proc a pass reads at once. */
const READERS = 2;

export interface Marker {
  name: string;
  value: string;
}

/** A marker still to be looked for: the times (Date.now()) of its remaining looks, and the
 * reaper whose watchdog can look. */
interface Due {
  marker: Marker;
  times: number[];
  reaper?: Pick<Reaper, 'sweep'>;
}

const due = new Map<string, Due>();
let timer: NodeJS.Timeout | undefined;
let lastPass = 0;
let sweeping: Promise<number> = Promise.resolve(0);

/** A fresh marker, as the environment entry a program should carry. */
export function runMarker(): Marker {
  return { name: VARIABLE, value: randomUUID() };
}

/** Kills (SIGKILL) every process whose environment carries the marker, now; resolves with how
 * many. Passes run one after another. */
export function sweepStragglers(marker: Marker): Promise<number> {
  sweeping = sweeping.catch(() => 0).then(async () => (await sweep([needleOf(marker)]))[0]);
  return sweeping;
}

/** Looks for the marker's processes at each of SWEEP_AFTER_MS after now, off the request path,
 * through `reaper`'s watchdog when it has one; never keeps the process alive. */
export function sweepLater(marker: Marker, reaper?: Pick<Reaper, 'sweep'>): void {
  const now = Date.now();
  due.set(marker.value, { marker, reaper, times: SWEEP_AFTER_MS.map((ms) => now + ms) });
  schedule();
}

/** The environment entry as it appears in /proc/PID/environ. */
function needleOf(marker: Marker): Buffer {
  return Buffer.from(`${marker.name}=${marker.value}\0`);
}

/** Sets the timer for the next pass: at the earliest due look, but not within GAP_MS of the last. */
function schedule(): void {
  if (timer || due.size === 0) return;
  const next = Math.min(...[...due.values()].map((d) => d.times[0]));
  timer = setTimeout(() => void pass(), Math.max(0, next - Date.now(), lastPass + GAP_MS - Date.now()));
  timer.unref();
}

/** One pass for every marker still due: the looks due by its start are done by it. Markers
 * whose reaper's watchdog takes them are swept there; the rest here. */
async function pass(): Promise<void> {
  const started = Date.now();
  const entries = [...due.values()];
  const here: Marker[] = [];
  for (const [reaper, markers] of byReaper(entries)) {
    if (!reaper?.sweep?.(markers.map((m) => `${m.name}=${m.value}`))) here.push(...markers);
  }
  if (here.length > 0) {
    sweeping = sweeping.catch(() => 0).then(async () => (await sweep(here.map(needleOf))).reduce((a, b) => a + b, 0));
    await sweeping.catch(() => 0);
  }
  lastPass = Date.now();
  timer = undefined;
  for (const d of entries) {
    d.times = d.times.filter((t) => t > started);
    if (d.times.length === 0) due.delete(d.marker.value);
  }
  schedule();
}

/** The markers grouped by the reaper that can sweep them. */
function byReaper(entries: Due[]): Map<Pick<Reaper, 'sweep'> | undefined, Marker[]> {
  const groups = new Map<Pick<Reaper, 'sweep'> | undefined, Marker[]>();
  for (const d of entries) groups.set(d.reaper, [...(groups.get(d.reaper) ?? []), d.marker]);
  return groups;
}

/** One pass over /proc: kills each process whose environment holds one of `needles`; answers
 * how many were killed per needle. */
async function sweep(needles: Buffer[]): Promise<number[]> {
  const pids = (await readdir('/proc').catch(() => [] as string[])).filter((name) => /^\d+$/.test(name) && Number(name) !== process.pid);
  const killed = needles.map(() => 0);
  let next = 0;
  const reader = async () => {
    while (next < pids.length) {
      const pid = Number(pids[next++]);
      const environ = await readFile(`/proc/${pid}/environ`).catch(() => undefined);
      const hit = environ ? needles.findIndex((needle) => environ.includes(needle)) : -1;
      if (hit >= 0 && kill(pid)) killed[hit]++;
    }
  };
  await Promise.all(Array.from({ length: READERS }, reader));
  return killed;
}

/** SIGKILLs one process; false when it is gone already. */
function kill(pid: number): boolean {
  try {
    process.kill(pid, 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}
