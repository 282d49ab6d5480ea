// The registry of the process groups a kernel started, and a watchdog that kills them even when
// the kernel itself is SIGKILLed: a detached `sh` reading `+PGID`, `-PGID` and `=DIR` lines on a
// pipe from the kernel; at EOF (the kernel is gone) it kills every group left and removes DIR.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Logger } from 'pino';

const WATCHDOG = `
groups=""; dir=""
drop() { kept=""; for g in $groups; do [ "$g" = "$1" ] || kept="$kept $g"; done; groups=$kept; }
while IFS= read -r line; do
  case "$line" in
    +*) groups="$groups \${line#+}" ;;
    -*) drop "\${line#-}" ;;
    =*) dir=\${line#=} ;;
  esac
done
for g in $groups; do kill -9 -"$g" 2>/dev/null; done
[ -n "$dir" ] && rm -rf -- "$dir"
`;

export interface Reaper {
  /** A process group started: kill it if the kernel dies. */
  track(pgid: number): void;
  /** A process group ended. */
  untrack(pgid: number): void;
  /** The directory to remove if the kernel dies. */
  watchDir(dir: string): void;
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

/** Starts the watchdog; it never keeps the event loop alive. */
export function startReaper(log: Logger): Reaper {
  const groups = new Set<number>();
  const watchdog = spawnWatchdog(log);
  const tell = (line: string) => {
    if (watchdog?.stdin?.writable) watchdog.stdin.write(line + '\n');
  };
  return {
    track(pgid) {
      groups.add(pgid);
      tell(`+${pgid}`);
    },
    untrack(pgid) {
      groups.delete(pgid);
      tell(`-${pgid}`);
    },
    watchDir(dir) {
      tell(`=${dir}`);
    },
    killAll() {
      for (const pgid of groups) killGroup(pgid);
    },
    close() {
      this.killAll();
      groups.clear();
      watchdog?.stdin?.end();
    },
  };
}

/** The detached sh in its own process group, so killing the kernel's group spares it. */
function spawnWatchdog(log: Logger): ChildProcess | undefined {
  try {
    const child = spawn('/bin/sh', ['-c', WATCHDOG, 'icuda-reaper'], { detached: true, cwd: '/', stdio: ['pipe', 'ignore', 'ignore'] });
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
