// Runs a compiled cell: its own process group, output streamed live and decoded as UTF-8,
// limits enforced, and its end told as an outcome. The program is spawned with
// node:child_process itself: a cached cell's whole round trip is a few milliseconds, and
// execa's wrapping of the same spawn cost about 3 of them.
import type { ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { StringDecoder } from 'node:string_decoder';
import type { OutputSink, RunOutcome } from '../outcome.js';
import { holdBack } from './backpressure.js';
import { interrupted, runtimeError, timeoutError } from '../errors.js';
import { superviseGroup, type GroupEnd } from './process-group.js';
import type { Reaper } from './reaper.js';
import { attachChannels, channelEnv, PROGRAM_STDIO } from './program-channels.js';
import { limitedCommand, type ProgramLimits } from './limits.js';
import { holdPartialLine } from './partial-line.js';
import { childProcesses } from './child-process.js';
import { prepareStandby, takeStandby } from './standby.js';
import { runMarker, sweepLater, sweepStragglers, type Marker } from './stragglers.js';

/** A time limit and where it came from ("%timeout 1", "ICUDA_TIMEOUT=60"). */
export interface TimeLimit {
  seconds: number;
  source: string;
}

export interface RunOptions {
  binary: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  limit?: TimeLimit;
  signal: AbortSignal;
  output: OutputSink;
  reaper: Reaper;
  /** File size, process and core limits (see limits.ts). */
  limits: ProgramLimits;
  /** Asks the frontend for a line of input; absent when the request does not allow stdin. */
  input?: (prompt: string) => Promise<string>;
  /** Keep a shell ready for later runs (standby.ts), with this environment and these limits
   * (the kernel's, without a cell's own variables): it starts once this run has ended, and a
   * later run with exactly these and the same reaper execs in it instead of forking. */
  standby?: { env: NodeJS.ProcessEnv; limits: ProgramLimits };
}

const SIGNAL_DESCRIPTIONS: Record<string, string> = {
  SIGSEGV: 'segmentation fault',
  SIGABRT: 'aborted',
  SIGFPE: 'floating-point exception',
  SIGBUS: 'bus error',
  SIGILL: 'illegal instruction',
  SIGKILL: 'killed',
  SIGTERM: 'terminated',
  SIGINT: 'interrupted',
  SIGQUIT: 'quit',
  SIGHUP: 'hangup',
  SIGPIPE: 'broken pipe',
  SIGTRAP: 'trace trap',
  SIGSYS: 'bad system call',
  SIGXCPU: 'CPU time limit exceeded',
  SIGXFSZ: 'file size limit exceeded',
  SIGALRM: 'alarm clock',
  SIGUSR1: 'user signal 1',
  SIGUSR2: 'user signal 2',
};

/** "killed by SIGSEGV (segmentation fault)". */
export function describeSignal(signal: string): string {
  const what = SIGNAL_DESCRIPTIONS[signal];
  return `killed by ${signal}${what ? ` (${what})` : ''}`;
}

/** Runs the program to its end; everything it printed has been passed to `output` on return. */
export async function runProgram(options: RunOptions): Promise<RunOutcome> {
  const env = { ...options.env, ...channelEnv() };
  const { child, failure, mark } = startProgram(options, env);
  const [stdout, stderr] = [child.stdout!, child.stderr!];
  // stdout's unfinished line waits a moment: a read of stdin may claim it as its prompt.
  const stdoutLine = holdPartialLine((text) => options.output.stream('stdout', text));
  const streamed = [
    decodeStream(stdout, (text) => stdoutLine.write(text)).finally(() => stdoutLine.flush()),
    decodeStream(stderr, (text) => options.output.stream('stderr', text)),
  ];
  for (const pipe of [stdout, stderr]) holdBack(pipe, options.output);
  const channels = attachChannels(child, { output: options.output, input: options.input, pendingPrompt: stdoutLine });
  const timeoutMs = options.limit ? options.limit.seconds * 1000 : undefined;
  const end = await superviseGroup(child, { signal: options.signal, reaper: options.reaper, timeoutMs });
  channels.stop();
  // The group is dead; its pipes close at once unless something that escaped the group (a
  // setsid daemon) still holds them. Then that is swept out, and the pipes let go of at last.
  const drained = Promise.all([...streamed, channels.done]);
  if (!(await settlesWithin(drained, ESCAPE_GRACE_MS))) {
    await sweepStragglers(mark);
    if (!(await settlesWithin(drained, ESCAPE_GRACE_MS * 10))) for (const pipe of [stdout, stderr]) pipe.destroy();
  }
  if (end.cause !== 'spawn-failed') sweepLater(mark, options.reaper); // off the request path: daemons that closed their stdio, or are still forking
  await drained;
  if (options.standby) prepareStandby({ ...options.standby.env, ...channelEnv() }, options.standby.limits, options.reaper);
  return end.cause === 'spawn-failed' ? runtimeError(`could not start the program: ${await failure}`) : outcomeOf(end, options.limit);
}

/** Starts the program under its limits in a process group of its own, with exactly `env` and
 * its marker, in a standby shell when one fits, else spawned; `failure` resolves with the
 * reason if it could not start. */
function startProgram(options: RunOptions, env: NodeJS.ProcessEnv): { child: ChildProcess; failure: Promise<string>; mark: Marker } {
  const run = { env, reaper: options.reaper, cwd: options.cwd, limits: options.limits, binary: options.binary, args: options.args };
  const standby = options.standby ? takeStandby(run) : undefined;
  const mark = standby?.marker ?? runMarker();
  const [command, args] = limitedCommand(options.limits, options.binary, options.args);
  const child =
    standby?.child ??
    childProcesses().spawn(command, args, {
      cwd: options.cwd,
      env: { ...env, [mark.name]: mark.value },
      detached: true,
      stdio: [...PROGRAM_STDIO],
    });
  const failure = new Promise<string>((resolve) => child.on('error', (error) => resolve(error.message)));
  return { child, failure, mark };
}

/** How long a dead program's pipes may stay open before the kernel looks for escapees. */
const ESCAPE_GRACE_MS = 200;

/** Whether `work` settles within `ms`. */
async function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([
      work.then(
        () => true,
        () => true,
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Maps how the program ended to the cell's outcome. */
export function outcomeOf(end: Exclude<GroupEnd, { cause: 'spawn-failed' }>, limit?: TimeLimit): RunOutcome {
  if (end.cause === 'abort') return interrupted();
  if (end.cause === 'timeout') return timeoutError(limit?.seconds ?? 0, limit?.source ?? 'time limit');
  if (end.signal) return runtimeError(describeSignal(end.signal));
  if (end.exitCode !== 0) return runtimeError(`exited with code ${end.exitCode}`);
  return { status: 'ok' };
}

/** Emits a byte stream as text, a UTF-8 character split across chunks kept whole; resolves at its end. */
export async function decodeStream(stream: Readable, emit: (text: string) => void): Promise<void> {
  const decoder = new StringDecoder('utf8');
  const write = (text: string) => {
    if (text) emit(text);
  };
  stream.on('data', (chunk: Buffer | string) => write(decoder.write(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)));
  // A pipe torn down by a kill may close early: what arrived is all there is.
  await finished(stream).catch(() => undefined);
  write(decoder.end());
}
