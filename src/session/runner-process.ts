// The live runner process: started in its own process group under the reaper, its stdout and
// stderr passed to the cell that runs, its frames (display output and replies) read on fd 3,
// commands written on fd 4. A run ends when the reply and both end markers have arrived, or
// when the runner itself ends.
import type { Readable, Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { execa } from 'execa';
import type { Logger } from 'pino';
import type { OutputSink } from '../engine/outcome.js';
import { FrameDecoder, handleFrame } from '../engine/run/display-channel.js';
import { limitedCommand, type ProgramLimits } from '../engine/run/limits.js';
import { superviseGroup, type GroupEnd } from '../engine/run/process-group.js';
import { channelEnv } from '../engine/run/program-channels.js';
import type { Reaper } from '../engine/run/reaper.js';
import { runMarker, sweepLater } from '../engine/run/stragglers.js';
import { CellStreams } from './cell-streams.js';
import { parseReply, type RunnerReply } from './runner-reply.js';
import { feedStdin } from './stdin-feed.js';

const STDIO = ['pipe', 'pipe', 'pipe', 'pipe', 'pipe'] as const;
const COMMAND_FD = 4;

/** How a run ended: the runner's reply, or the runner's own end. */
export type RunResult = { kind: 'reply'; reply: RunnerReply } | { kind: 'ended'; end: GroupEnd };

/** What the runner is asked to do (native/runner.cpp's commands); an object is loaded first when given. */
export type RunnerCommand =
  | { kind: 'run'; object?: string; symbol: string; check: boolean }
  | { kind: 'bench'; object?: string; symbol: string; work?: string; reps: number; show: boolean; cold: boolean }
  | { kind: 'info' }
  | { kind: 'vars'; variables: { symbol: string; pointer: boolean }[] };

/** One command, with the output of the cell it runs for. */
export interface RunRequest {
  command: RunnerCommand;
  output: OutputSink;
  /** Lines from the frontend when a run blocks reading stdin. */
  input?: (prompt: string) => Promise<string>;
}

/** The command's line on fd 4. */
export function commandLine(nonce: string, request: RunRequest): string {
  const c = request.command;
  const bit = (on: boolean) => (on ? 1 : 0);
  switch (c.kind) {
    case 'run':
      return `run ${nonce} ${bit(Boolean(request.input))} ${bit(c.check)} ${c.symbol} ${c.object ?? '-'}\n`;
    case 'bench':
      return `bench ${nonce} ${bit(c.show)} ${bit(c.cold)} ${c.reps} ${c.work ?? '-'} ${c.symbol} ${c.object ?? '-'}\n`;
    case 'info':
      return `info ${nonce}\n`;
    case 'vars':
      return `vars ${nonce} ${c.variables.map((v) => `${v.symbol}:${bit(v.pointer)}`).join(' ')}\n`;
  }
}

export interface RunnerStart {
  binary: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  limits: ProgramLimits;
  reaper: Reaper;
  log: Logger;
}

let nonces = 0;

/** A started runner. */
export class RunnerProcess {
  readonly pid: number | undefined;
  /** Resolves when the runner's group is dead and untracked. */
  readonly ended: Promise<GroupEnd>;
  #end: GroupEnd | undefined;
  readonly #kill = new AbortController();
  readonly #streams = new CellStreams();
  readonly #commands: Writable | undefined;
  readonly #stdin: Writable | null;
  #finish: ((result: RunResult) => void) | undefined;

  constructor(options: RunnerStart) {
    const [command, args] = limitedCommand(options.limits, options.binary, []);
    const mark = runMarker();
    const child = execa(command, args, {
      cwd: options.cwd,
      env: { ...options.env, ...channelEnv(), [mark.name]: mark.value },
      extendEnv: false,
      detached: true,
      buffer: false,
      stdio: STDIO,
      reject: false,
      encoding: 'buffer',
    });
    this.pid = child.pid;
    this.#stdin = child.stdin;
    this.#stdin?.on('error', () => undefined);
    this.#commands = child.stdio[COMMAND_FD] as unknown as Writable | undefined;
    this.#commands?.on('error', () => undefined);
    this.#read(child.stdout, 'stdout');
    this.#read(child.stderr, 'stderr');
    this.#readFrames(child.stdio[3]);
    const streams = [child.stdout, child.stderr].map((stream) => new Promise((resolve) => stream.once('close', resolve)));
    this.ended = superviseGroup(child, { signal: this.#kill.signal, reaper: options.reaper }).then(async (end) => {
      await Promise.race([Promise.all(streams), new Promise((resolve) => setTimeout(resolve, 300))]);
      this.#end = end;
      sweepLater(mark, options.reaper);
      options.log.debug({ end }, 'session runner ended');
      this.#finish?.({ kind: 'ended', end });
      return end;
    });
    child.catch(() => undefined);
  }

  /** Whether the runner still runs. */
  get alive(): boolean {
    return this.#end === undefined && this.pid !== undefined;
  }

  /** Runs one command; resolves when its output is complete or the runner ended. */
  run(request: RunRequest): Promise<RunResult> {
    if (!this.alive) return Promise.resolve({ kind: 'ended', end: this.#end ?? { cause: 'spawn-failed' } });
    const nonce = `${process.pid}-${++nonces}-${Date.now().toString(36)}`;
    const reads = request.command.kind === 'run' && request.input;
    const feed = reads && this.pid && this.#stdin ? feedStdin(this.pid, this.#stdin, reads) : undefined;
    return new Promise<RunResult>((resolve) => {
      this.#finish = (result) => {
        this.#finish = undefined;
        feed?.stop();
        this.#streams.finish();
        resolve(result);
      };
      this.#streams.start(nonce, request.output, (reply) => this.#finish?.({ kind: 'reply', reply }));
      this.#commands?.write(commandLine(nonce, request));
    });
  }

  /** Asks the runner to stop the cell (SIGINT to its group). */
  interrupt(): void {
    this.#signal('SIGINT');
  }

  /** Kills the runner and everything it started. */
  kill(): void {
    this.#kill.abort();
  }

  /** Sends a signal to the runner's group; a group already gone is fine. */
  #signal(signal: NodeJS.Signals): void {
    if (this.pid === undefined || !this.alive) return;
    try {
      process.kill(-this.pid, signal);
    } catch {
      /* gone already */
    }
  }

  /** Decodes one output stream into the running cell's output. */
  #read(stream: Readable, name: 'stdout' | 'stderr'): void {
    const decoder = new StringDecoder('utf8');
    stream.on('data', (chunk: Buffer) => this.#streams.text(name, decoder.write(chunk), stream));
    stream.on('end', () => this.#streams.text(name, decoder.end(), stream));
    stream.on('error', () => undefined);
  }

  /** Reads fd 3: replies to the run, everything else is the cell's display output. */
  #readFrames(stream: Readable | undefined): void {
    if (!stream) return;
    const decoder = new FrameDecoder();
    stream.on('error', () => undefined);
    stream.on('data', (chunk: Buffer) => {
      try {
        for (const frame of decoder.push(chunk)) {
          const reply = parseReply(frame);
          if (reply) this.#streams.reply(reply);
          else handleFrame(frame, this.#streams.sink());
        }
      } catch (error) {
        this.#streams.sink().stream('stderr', `icuda: session display channel dropped: ${(error as Error).message}\n`);
        stream.destroy();
      }
    });
  }
}
