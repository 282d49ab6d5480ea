// Drives a real icuda kernel through the reference client (jupyter_client, via
// kernel_bridge.py): installs the kernelspec with the real CLI into a private Jupyter data
// dir, starts the kernel the way a frontend does, and validates every message received.
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { packageRoot } from '../../src/package-info.js';
import { validateMessage, type WireMessage } from './message-spec.js';

const python = process.env.ICUDA_TEST_PYTHON ?? join(packageRoot, '.venv', 'bin', 'python');

/** Why the jupyter_client tests cannot run here, or undefined when they can. */
export function missingClient(): string | undefined {
  if (!existsSync(python)) return `no Python venv at ${python} (run scripts/setup-deps.sh)`;
  try {
    execFileSync(python, ['-c', 'import jupyter_client'], { stdio: 'ignore' });
  } catch {
    return `jupyter_client is not importable by ${python}`;
  }
  return undefined;
}

export interface StartOptions {
  transport?: 'tcp' | 'ipc';
  key?: string;
  env?: Record<string, string>;
}

export interface Exchange {
  msgId: string;
  reply: WireMessage;
  /** iopub messages whose parent is this request, in arrival order. */
  iopub: WireMessage[];
  all: WireMessage[];
}

/** One kernel, started through KernelManager, with a private data dir and temp dir. */
export class TestKernel {
  private pending: ((answer: any) => void)[] = [];
  pid = 0;
  key = '';

  private constructor(
    private bridge: ChildProcessWithoutNullStreams,
    readonly home: string,
  ) {
    createInterface({ input: bridge.stdout }).on('line', (line) => this.pending.shift()?.(JSON.parse(line)));
    bridge.stderr.on('data', (chunk) => {
      this.stderr += chunk;
    });
    // A bridge that dies answers every waiting call with an error instead of leaving it hanging.
    bridge.on('exit', (code, signal) => {
      for (const resolve of this.pending.splice(0)) resolve({ ok: false, error: `bridge exited (${code ?? signal})`, traceback: '' });
    });
  }

  stderr = '';

  /** Installs the kernelspec with `icuda install` and starts a kernel from it. */
  static async start(options: StartOptions = {}): Promise<TestKernel> {
    const home = await mkdtemp(join(tmpdir(), 'icuda-test-'));
    await mkdir(join(home, 'tmp'));
    const env = { ...process.env, JUPYTER_DATA_DIR: join(home, 'data'), JUPYTER_RUNTIME_DIR: join(home, 'runtime') };
    execFileSync(process.execPath, [join(packageRoot, 'bin', 'icuda.js'), 'install', '--user'], { env, stdio: 'ignore' });
    const bridge = spawn(python, [join(packageRoot, 'test', 'support', 'kernel_bridge.py')], { env });
    const kernel = new TestKernel(bridge, home);
    const started = await kernel.call({
      op: 'start',
      kernel_name: 'icuda',
      transport: options.transport ?? 'tcp',
      ipc_dir: home,
      ...(options.key === undefined ? {} : { key: options.key }),
      env: { TMPDIR: kernel.tmp, ICUDA_LOG_LEVEL: 'debug', ICUDA_CACHE_DIR: join(home, 'cache'), ...options.env },
    });
    kernel.pid = started.pid;
    kernel.key = started.connection.key;
    return kernel;
  }

  /** The TMPDIR the kernel runs with: its scratch directories live below it. */
  get tmp(): string {
    return join(this.home, 'tmp');
  }

  /** Sends one command to the bridge and awaits its answer; bridge errors throw. */
  async call(cmd: Record<string, unknown>): Promise<any> {
    // Every bridge op is bounded by its own timeout; this is the backstop should the bridge hang.
    const limitMs = (Number(cmd.timeout ?? 30) + 60) * 1000;
    let timer: NodeJS.Timeout | undefined;
    const answer = await new Promise<any>((resolve) => {
      this.pending.push(resolve);
      timer = setTimeout(() => {
        this.bridge.kill('SIGKILL');
        resolve({ ok: false, error: `no answer within ${limitMs / 1000}s; bridge killed`, traceback: '' });
      }, limitMs);
      this.bridge.stdin.write(JSON.stringify(cmd) + '\n');
    }).finally(() => clearTimeout(timer));
    if (!answer.ok) throw new Error(`bridge ${String(cmd.op)}: ${answer.error}\n${answer.traceback}\n${this.stderr}`);
    return answer;
  }

  /** Sends one request without waiting; answers its msg_id. */
  async send(msg_type: string, content: object = {}, channel = 'shell'): Promise<string> {
    return (await this.call({ op: 'send', channel, msg_type, content })).msg_id;
  }

  /** Collects (and validates) messages until each msg_id has its reply and idle, or until a
   * stream message contains `untilText`. */
  async collect(
    ids: string[],
    options: { timeout?: number; stdin?: string[]; untilText?: string; noReply?: boolean } = {},
  ): Promise<WireMessage[]> {
    const timeout = options.timeout ?? 60;
    const { messages, timed_out } = await this.call({
      op: 'collect',
      msg_ids: ids,
      timeout,
      stdin: options.stdin ?? [],
      until_text: options.untilText,
      wait_reply: !options.noReply,
    });
    if (timed_out) throw new Error(`no reply/idle within ${timeout}s; got ${messages.map((m: WireMessage) => m.msg_type).join(',')}`);
    for (const m of messages) validateMessage(m);
    return messages;
  }

  /** Sends requests and collects everything until each has its reply and idle. */
  async exchange(
    requests: { channel?: string; msg_type: string; content?: object }[],
    options: { timeout?: number; stdin?: string[] } = {},
  ): Promise<Exchange[]> {
    const ids: string[] = [];
    for (const r of requests) ids.push(await this.send(r.msg_type, r.content, r.channel));
    return exchanges(ids, await this.collect(ids, options));
  }

  /** Executes one cell and returns its exchange. */
  async execute(code: string, content: object = {}, options: { timeout?: number; stdin?: string[] } = {}): Promise<Exchange> {
    const [ex] = await this.exchange([{ msg_type: 'execute_request', content: executeContent(code, content) }], options);
    return ex;
  }

  /** One request (shell by default, or control) and its exchange. */
  async request(msg_type: string, content: object = {}, channel = 'shell'): Promise<Exchange> {
    const [ex] = await this.exchange([{ channel, msg_type, content }]);
    return ex;
  }

  /** Manager actions (interrupt, signal, restart, shutdown, kill, wait_dead). */
  lifecycle(action: string, extra: object = {}): Promise<{ alive: boolean; pid: number; exit_code: number | null }> {
    return this.call({ op: 'lifecycle', action, ...extra });
  }

  /** Stops the kernel and the bridge, and removes the private dirs. */
  async close(): Promise<void> {
    if (this.bridge.exitCode === null) {
      await this.call({ op: 'stop' }).catch(() => undefined);
      this.bridge.kill();
    }
    // Whatever happened to the bridge, leave no kernel (or its programs) behind.
    if (this.pid)
      try {
        process.kill(-this.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    await rm(this.home, { recursive: true, force: true });
  }
}

/** A full execute_request content with ipykernel's defaults. */
export function executeContent(code: string, extra: object = {}): object {
  return { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true, ...extra };
}

/** The text of one stream of an exchange, joined in order. */
export function streamText(ex: Exchange, name: 'stdout' | 'stderr'): string {
  return ex.iopub
    .filter((m) => m.msg_type === 'stream' && m.content.name === name)
    .map((m) => m.content.text)
    .join('');
}

/** The msg_types of an exchange's iopub messages, in order. */
export function iopubTypes(ex: Exchange): string[] {
  return ex.iopub.map((m) => (m.msg_type === 'status' ? `status:${m.content.execution_state}` : m.msg_type));
}

/** Splits collected messages into one exchange per request. */
export function exchanges(ids: string[], messages: WireMessage[]): Exchange[] {
  return ids.map((msgId) => ({
    msgId,
    reply: messages.find((m) => (m.channel === 'shell' || m.channel === 'control') && m.parent_header.msg_id === msgId)!,
    iopub: messages.filter((m) => m.channel === 'iopub' && m.parent_header.msg_id === msgId),
    all: messages,
  }));
}
