// The registry of the process groups a kernel started, and a watchdog that kills them even when
// the kernel itself is SIGKILLed: a detached `sh` reading `+PGID`, `-PGID` and `=DIR` lines on a
// pipe from the kernel; at EOF (the kernel is gone) it kills every group left and removes DIR.
// It also sweeps for the kernel (`?NAME=VALUE ...`): grep finds the processes whose environment
// holds one of the markers (stragglers.ts) and they are killed, all in the watchdog's process,
// so a pass over /proc costs the kernel one line on a pipe.
// The watchdog starts when the kernel says (after its first reply) or at the first line it must
// hear, whichever comes first: before either there is nothing to watch.
import type { ChildProcess } from 'node:child_process';
import type { Logger } from 'pino';
import { childProcesses } from './child-process.js';

const WATCHDOG = `
groups=""; dir=""
drop() { kept=""; for g in $groups; do [ "$g" = "$1" ] || kept="$kept $g"; done; groups=$kept; }
while IFS= read -r line; do
  case "$line" in
    +*) groups="$groups \${line#+}" ;;
    -*) drop "\${line#-}" ;;
    =*) dir=\${line#=} ;;
    [?]*) pats=""; for m in \${line#?}; do pats="$pats -e $m"; done
          for f in $(grep -lsFaxz $pats /proc/[0-9]*/environ); do p=\${f#/proc/}; kill -9 "\${p%/environ}" 2>/dev/null; done ;;
  esac
done
for g in $groups; do kill -9 -"$g" 2>/dev/null; done
[ -n "$dir" ] && rm -rf -- "$dir"
`;

/** How long `-PGID` lines may wait for another line to go with. */
const UNTRACK_DELAY_MS = 1000;

export interface Reaper {
  /** A process group started: kill it if the kernel dies (at once, after close). */
  track(pgid: number): void;
  /** A process group ended. */
  untrack(pgid: number): void;
  /** The directory to remove if the kernel dies. */
  watchDir(dir: string): void;
  /** Has the watchdog kill every process whose environment holds one of `needles` (NAME=VALUE,
   * letters, digits, '_' and '-' only); false when there is no watchdog to do it. */
  sweep?(needles: string[]): boolean;
  /** SIGKILLs every tracked group now. */
  killAll(): void;
  /** Kills every group and lets the watchdog exit. */
  close(): void;
}

/** Sends SIGKILL to a whole process group; a group already gone is fine. */
export function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** The registry; its watchdog starts once `startAfter` settles, or sooner when first needed. It
 * never keeps the event loop alive. */
export function startReaper(log: Logger, startAfter: Promise<unknown> = Promise.resolve()): Reaper {
  const groups = new Set<number>();
  let watchdog: ChildProcess | undefined;
  let spawned = false;
  let closed = false;
  /** The watchdog, started at the first call (never after close). */
  const ensure = (): ChildProcess | undefined => {
    if (!spawned && !closed) {
      spawned = true;
      watchdog = spawnWatchdog(log);
    }
    return watchdog;
  };
  void startAfter.then(ensure, ensure);
  // `-PGID` lines wait (UNTRACK_DELAY_MS, or until any other line): a group that ended is no
  // longer the watchdog's concern, and a write wakes its shell, which the next cell's critical
  // path need not share a CPU with. They go first when anything else is told, in order.
  let ended: string[] = [];
  let later: NodeJS.Timeout | undefined;
  const write = (text: string) => {
    const child = ensure();
    if (child?.stdin?.writable) child.stdin.write(text);
  };
  const flushEnded = () => {
    clearTimeout(later);
    later = undefined;
    if (ended.length > 0) write(ended.join(''));
    ended = [];
  };
  const tell = (line: string) => {
    const pending = ended.join('');
    ended = [];
    clearTimeout(later);
    later = undefined;
    write(pending + line + '\n');
  };
  return {
    track(pgid) {
      if (closed) return killGroup(pgid); // nobody would kill it later
      if (groups.has(pgid)) return; // a standby's shell, told when it started, now running a program
      groups.add(pgid);
      tell(`+${pgid}`);
    },
    untrack(pgid) {
      if (!groups.delete(pgid)) return;
      ended.push(`-${pgid}\n`);
      later ??= setTimeout(flushEnded, UNTRACK_DELAY_MS).unref();
    },
    watchDir(dir) {
      tell(`=${dir}`);
    },
    sweep(needles) {
      if (needles.length === 0 || !needles.every((needle) => /^[A-Za-z0-9_]+=[A-Za-z0-9_-]+$/.test(needle))) return false;
      const child = ensure();
      if (!child?.stdin?.writable || child.exitCode !== null || child.signalCode !== null) return false;
      child.stdin.write(`?${needles.join(' ')}\n`);
      return true;
    },
    killAll() {
      for (const pgid of groups) killGroup(pgid);
    },
    close() {
      flushEnded();
      this.killAll();
      groups.clear();
      closed = true;
      watchdog?.stdin?.end();
    },
  };
}

/** The detached sh in its own process group, so killing the kernel's group spares it. */
function spawnWatchdog(log: Logger): ChildProcess | undefined {
  try {
    const child = childProcesses().spawn('/bin/sh', ['-c', WATCHDOG, 'icuda-reaper'], {
      detached: true,
      cwd: '/',
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    child.on('error', (error) => log.warn({ err: error }, 'reaper failed to start'));
    child.stdin.on('error', (error) => log.warn({ err: error }, 'reaper pipe failed'));
    child.unref();
    (child.stdin as unknown as { unref?: () => void }).unref?.();
    log.debug({ pid: child.pid }, 'reaper started');
    return child;
  } catch (error) {
    log.warn({ err: error }, 'no reaper: cells may outlive a killed kernel');
    return undefined;
  }
}
