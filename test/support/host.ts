// Starts a real `icuda host` process for tests: its own TMPDIR (so its jobs' and sessions'
// processes can be found) and compile cache, the port it bound read from its log, and a stop that waits for it to exit.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { packageRoot } from '../../src/package-info.js';

export class TestHost {
  log = '';
  private constructor(
    readonly child: ChildProcess,
    readonly home: string,
    readonly port: number,
  ) {}

  /** `icuda host ARGS` with --listen 127.0.0.1:PORT (0: any free port) unless ARGS has one; its compile cache (where
   * session runners are built) under its home unless `env` names one, as a test file does to build the runner once. */
  static async start(args: string[] = [], options: { port?: number; home?: string; env?: Record<string, string> } = {}): Promise<TestHost> {
    const home = options.home ?? (await mkdtemp(join(tmpdir(), 'icuda-host-test-')));
    await mkdir(join(home, 'tmp'), { recursive: true });
    const listen = args.includes('--listen') ? [] : ['--listen', `127.0.0.1:${options.port ?? 0}`];
    const child = spawn(process.execPath, [join(packageRoot, 'bin', 'icuda.js'), 'host', ...listen, ...args], {
      env: { ...process.env, TMPDIR: join(home, 'tmp'), ICUDA_LOG_LEVEL: 'info', ICUDA_CACHE_DIR: join(home, 'cache'), ...options.env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    const port = await new Promise<number>((resolve, reject) => {
      createInterface({ input: child.stderr }).on('line', (line) => {
        log += line + '\n';
        const match = /"listen":"[^"]*:(\d+)"/.exec(line);
        if (match && line.includes('icuda host listening')) resolve(Number(match[1]));
      });
      child.once('exit', (code) => reject(new Error(`host exited (${code}) before listening:\n${log}`)));
      setTimeout(() => reject(new Error(`host did not listen within 30 s:\n${log}`)), 30_000).unref();
    });
    const host = new TestHost(child, home, port);
    host.log = log;
    child.stderr.on('data', (chunk) => {
      host.log += chunk;
    });
    return host;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }
  get tmp(): string {
    return join(this.home, 'tmp');
  }

  /** SIGTERM, then waits for the exit code (SIGKILL after 20 s). */
  async stop(): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.child.exitCode;
    const exited = new Promise<number | null>((resolve) => this.child.once('exit', (code) => resolve(code)));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 20_000);
    try {
      return await exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stops and removes its directory. */
  async close(): Promise<void> {
    await this.stop();
    await rm(this.home, { recursive: true, force: true });
  }
}

/** Runs `icuda host ARGS` expecting it to refuse to start: its exit code and stderr. */
export function refusedHost(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [join(packageRoot, 'bin', 'icuda.js'), 'host', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    }),
  );
}
