// Drives a Session directly, with the real nvcc and the real runner, no Jupyter: each test file
// gets a temp dir holding the scratch space, the compile cache (and so the runner's build) and an
// nvcc wrapper that counts compiles.
import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCacheSession } from '../../src/engine/compile/cache/cached-compile.js';
import type { MimeBundle, OutputSink, RunOutcome } from '../../src/engine/outcome.js';
import { startReaper, type Reaper } from '../../src/engine/run/reaper.js';
import { createScratch, type Scratch } from '../../src/engine/scratch.js';
import { findToolchain } from '../../src/engine/toolchain/toolchain.js';
import { silentLogger } from '../../src/log.js';
import { loadSettings, programLimits, toolPlaces } from '../../src/settings/settings.js';
import { Session } from '../../src/session/session.js';

const settings = loadSettings();
const found = await findToolchain(toolPlaces(settings), process.env);
/** Why the session tests cannot run here, if they cannot. */
export const noNvcc = found.found ? undefined : 'nvcc not found (set NVCC or CUDA_HOME)';

/** An OutputSink that keeps streams and displays. */
export class Recorder implements OutputSink {
  readonly text = { stdout: '', stderr: '' };
  readonly displays: MimeBundle[] = [];
  stream(name: 'stdout' | 'stderr', text: string): void {
    this.text[name] += text;
  }
  display(data: MimeBundle): void {
    this.displays.push(data);
  }
  updateDisplay(): void {}
  clearOutput(): void {}
  async flush(): Promise<void> {}
}

/** What running one cell gave. */
export interface Ran {
  outcome: RunOutcome;
  stdout: string;
  stderr: string;
  displays: MimeBundle[];
  ms: number;
  /** Milliseconds from the abort (or the time limit) to the outcome. */
  stopMs?: number;
  /** ename: evalue, and the traceback, for assertion messages. */
  said: string;
}

export interface RunOptions {
  abortAfterMs?: number;
  timeoutS?: number;
  input?: string[];
  check?: boolean;
}

export class SessionHarness {
  count = 0;
  private constructor(
    readonly dir: string,
    readonly session: Session,
    readonly reaper: Reaper,
    readonly scratch: Scratch,
  ) {}

  /** A session in a fresh temp dir; `arch` as the kernel would pass the GPU's. */
  static async open(arch?: string): Promise<SessionHarness> {
    if (!found.found) throw new Error(noNvcc);
    const dir = await mkdtemp(join(tmpdir(), 'icuda-session-test-'));
    const nvcc = await countingNvcc(dir, found.toolchain.nvcc);
    const env = { ...process.env };
    const log = silentLogger();
    const reaper = startReaper(log);
    const scratch = createScratch({ tmpRoot: dir });
    const cacheDir = join(dir, 'cache');
    const cache = openCacheSession({ dir: cacheDir, maxBytes: 2 * 1024 ** 3 }, log);
    const limits = programLimits(settings);
    const session = new Session({
      nvcc,
      nvccVersion: found.toolchain.version,
      env,
      reaper,
      scratch,
      cache,
      log,
      arch,
      limits,
      runnerDir: cacheDir,
    });
    return new SessionHarness(dir, session, reaper, scratch);
  }

  /** Runs one cell as the next execution count. */
  async run(source: string, options: RunOptions = {}): Promise<Ran> {
    const output = new Recorder();
    const abort = new AbortController();
    const started = Date.now();
    let stoppedAt: number | undefined;
    if (options.abortAfterMs !== undefined) setTimeout(() => ((stoppedAt = Date.now()), abort.abort()), options.abortAfterMs);
    const lines = [...(options.input ?? [])];
    const outcome = await this.session.runCell(source, {
      executionCount: ++this.count,
      flags: [],
      signal: abort.signal,
      output,
      input: options.input ? async () => lines.shift() ?? '' : undefined,
      timeLimit: options.timeoutS ? { seconds: options.timeoutS, source: `%timeout ${options.timeoutS}` } : undefined,
      check: options.check,
    });
    const ms = Date.now() - started;
    const said = outcome.status === 'error' ? `${outcome.ename}: ${outcome.evalue}\n${outcome.traceback.join('\n')}` : 'ok';
    return {
      outcome,
      ...output.text,
      displays: output.displays,
      ms,
      stopMs: stoppedAt && Date.now() - stoppedAt,
      said: `${said}\n${output.text.stderr}`,
    };
  }

  /** How many times nvcc compiled so far. */
  async compiles(): Promise<number> {
    return (await readFile(join(this.dir, 'nvcc.log'), 'utf8').catch(() => '')).split('\n').filter(Boolean).length;
  }

  /** Ends the session and removes everything. */
  async close(): Promise<void> {
    await this.session.close();
    this.reaper.close();
    await this.scratch.removeAll();
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** An nvcc that logs each compile (not the runner's build, not --version), then runs the real one. */
async function countingNvcc(dir: string, real: string): Promise<string> {
  const nvcc = join(dir, 'nvcc');
  await writeFile(nvcc, `#!/bin/sh\ncase "$*" in *cell.cu*) echo "$*" >> "${join(dir, 'nvcc.log')}" ;; esac\nexec "${real}" "$@"\n`);
  await chmod(nvcc, 0o755);
  execFileSync(nvcc, ['--version']);
  return nvcc;
}
