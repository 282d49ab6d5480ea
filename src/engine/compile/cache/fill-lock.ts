// One kernel compiles a key at a time: the first to miss takes `locks/<key>` (created
// exclusively, holding its pid); others wait for its entry instead of running nvcc too. A lock
// whose holder is dead, or older than STALE_MS, is ignored.
import { mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const STALE_MS = 10 * 60 * 1000;
const POLL_MS = 100;

/** A held lock; release() removes it. */
export interface FillLock {
  release(): Promise<void>;
}

/** Takes the lock for `key`, or answers undefined when a live kernel holds it. */
export async function tryLock(cacheDir: string, key: string): Promise<FillLock | undefined> {
  const dir = join(cacheDir, 'locks');
  await mkdir(dir, { recursive: true });
  const path = join(dir, key);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return { release: () => rm(path, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (await isLive(path)) return undefined;
      await rm(path, { force: true }); // stale: its holder died
    }
  }
  return undefined;
}

/** Waits while a live holder keeps the lock for `key` (or until `signal` aborts). */
export async function waitUnlocked(cacheDir: string, key: string, signal: AbortSignal): Promise<void> {
  const path = join(cacheDir, 'locks', key);
  while (!signal.aborted && (await isLive(path))) await sleep(POLL_MS, undefined, { signal }).catch(() => undefined);
}

/** Whether a lock file exists, is fresh, and names a process that still runs. */
async function isLive(path: string): Promise<boolean> {
  const st = await stat(path).catch(() => undefined);
  if (!st || Date.now() - st.mtimeMs > STALE_MS) return false;
  const pid = Number(await readFile(path, 'utf8').catch(() => ''));
  if (!Number.isInteger(pid) || pid <= 0) return Date.now() - st.mtimeMs < 1000; // being written
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
