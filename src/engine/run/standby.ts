// A program's shell, started ahead of time. Spawning forks the whole kernel process: a few
// milliseconds (many more on a loaded machine) in which its event loop stands still, and the
// largest part of a cached cell's round trip. So once a run has ended, and the cell has
// answered, the runner starts the next run's /bin/sh (STANDBY below, waiting on fd 4), and the
// next run hands it a script instead of forking: cd to the run directory, the limits, exec the
// program, exactly as a freshly spawned shell would (same pid and process group, same pipes,
// same environment: the run adopts the marker the standby was started with). A standby is made
// with the kernel's environment (never a cell's own variables, which must not outlive it) and
// limits, set before it waits (ulimit in a shell that only reads and execs changes nothing for
// it), and serves only a run with that environment, limits and reaper; any other run spawns its own.
import type { ChildProcess } from 'node:child_process';
import type { Writable } from 'node:stream';
import { childProcesses } from './child-process.js';
import { limitCommands, type ProgramLimits } from './limits.js';
import type { Reaper } from './reaper.js';
import { runMarker, type Marker } from './stragglers.js';

/** Reads the script on fd 4 to its end, then runs it. */
const STANDBY =
  'icuda_script=; while IFS= read -r icuda_line <&4; do icuda_script="$icuda_script$icuda_line\n"; done; eval "$icuda_script"';
/** The standby's own variables: an environment that has them gets no standby. */
const OWN = ['icuda_script', 'icuda_line'];
/** stdin, stdout, stderr, the display channel, and the script. */
const STANDBY_STDIO = ['pipe', 'pipe', 'pipe', 'pipe', 'pipe'] as const;

export interface StandbyRun {
  /** The program's environment without the marker. */
  env: NodeJS.ProcessEnv;
  reaper: Reaper;
  cwd: string;
  limits: ProgramLimits;
  binary: string;
  args: string[];
}

interface Ready {
  child: ChildProcess;
  env: NodeJS.ProcessEnv;
  limits: ProgramLimits;
  marker: Marker;
  reaper: Reaper;
  /** A run took it: that run's supervision untracks the group. */
  taken: boolean;
}

let ready: Ready | undefined;
let pending: NodeJS.Immediate | undefined;

/** The standby made for this run's environment and reaper, running the program now; undefined
 * when there is none (the run spawns its own; a standby for another environment waits on). */
export function takeStandby(run: StandbyRun): { child: ChildProcess; marker: Marker } | undefined {
  clearImmediate(pending);
  pending = undefined;
  const standby = ready;
  if (!standby || !sameEnv(standby.env, run.env) || !sameLimits(standby.limits, run.limits)) return undefined;
  ready = undefined;
  if (!alive(standby.child) || standby.reaper !== run.reaper) {
    retire(standby);
    return undefined;
  }
  standby.taken = true;
  hold(standby.child, true);
  scriptPipe(standby.child)?.end(script(run, standby.env));
  return { child: standby.child, marker: standby.marker };
}

/** Starts a standby with `env` and `limits` for later runs, once the event loop has nothing
 * else to do; nothing when one is ready already. */
export function prepareStandby(env: NodeJS.ProcessEnv, limits: ProgramLimits, reaper: Reaper): void {
  if (OWN.some((name) => env[name] !== undefined)) return;
  if (ready && alive(ready.child) && ready.reaper === reaper && sameEnv(ready.env, env) && sameLimits(ready.limits, limits)) return;
  clearImmediate(pending);
  pending = setImmediate(() => {
    pending = undefined;
    if (ready) retire(ready);
    ready = start(env, limits, reaper);
  });
  pending.unref();
}

/** Spawns a standby: detached (a process group of its own, as every program), tracked. */
function start(env: NodeJS.ProcessEnv, limits: ProgramLimits, reaper: Reaper): Ready | undefined {
  const marker = runMarker();
  const child = childProcesses().spawn('/bin/sh', ['-c', [...limitCommands(limits), STANDBY].join('; '), 'icuda-standby'], {
    cwd: '/',
    env: { ...env, [marker.name]: marker.value },
    detached: true,
    stdio: [...STANDBY_STDIO],
  });
  child.on('error', () => undefined); // a standby that fails to start is never taken (alive() is false)
  child.stdio[4]?.on('error', () => undefined);
  if (child.pid === undefined) return undefined;
  const pid = child.pid;
  hold(child, false);
  reaper.track(pid);
  const standby: Ready = { child, env, limits, marker, reaper, taken: false };
  child.once('exit', () => {
    if (ready === standby) ready = undefined;
    if (!standby.taken) reaper.untrack(pid);
  });
  return standby;
}

/** Whether the child and its pipes keep the event loop alive: a waiting standby does not (when
 * the kernel exits, its script pipe closes and the shell leaves too); a running program does. */
function hold(child: ChildProcess, on: boolean): void {
  if (on) child.ref();
  else child.unref();
  for (const pipe of child.stdio) {
    const handle = pipe as { ref?: () => void; unref?: () => void } | null;
    if (on) handle?.ref?.();
    else handle?.unref?.();
  }
}

/** Ends a standby that will not be used: its script is empty, so its shell exits. */
function retire(standby: Ready): void {
  scriptPipe(standby.child)?.end();
}

/** The standby's fd 4, where its script goes. */
function scriptPipe(child: ChildProcess): Writable | undefined {
  return (child.stdio[4] as Writable | null) ?? undefined;
}

/** Whether the standby's shell is still there, waiting. */
function alive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** The same variables with the same values (unset ones ignored, as spawn ignores them). */
function sameEnv(a: NodeJS.ProcessEnv, b: NodeJS.ProcessEnv): boolean {
  const keys = (env: NodeJS.ProcessEnv) => Object.keys(env).filter((key) => env[key] !== undefined);
  const [ka, kb] = [keys(a), keys(b)];
  return ka.length === kb.length && ka.every((key) => a[key] === b[key]);
}

/** The script for `run`: what a shell spawned for it would have had and done. cd makes dash
 * export OLDPWD, which a fresh shell does not: it is put back as the environment had it. */
function script(run: StandbyRun, env: NodeJS.ProcessEnv): string {
  const oldpwd = env.OLDPWD === undefined ? 'unset OLDPWD' : `export OLDPWD=${quote(env.OLDPWD)}`;
  const command = [run.binary, ...run.args].map(quote).join(' ');
  return [`cd ${quote(run.cwd)} || exit 126`, oldpwd, `exec ${command} 4<&-`, ''].join('\n');
}

/** The same limits. */
function sameLimits(a: ProgramLimits, b: ProgramLimits): boolean {
  return limitCommands(a).join() === limitCommands(b).join();
}

/** A word the shell takes literally. */
function quote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}
