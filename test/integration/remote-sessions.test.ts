// Session cells on a GPU host: a real `icuda host` on loopback, the remote executor's
// SessionRunner driving it over gRPC, the real nvcc and the real session runner on the host's
// side. State across cells, redefinition, diagnostics, interrupt, %replay and %reset; the idle
// limit, the limit of sessions, a kernel that goes away, and a host that stops.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import type { RunOutcome } from '../../src/engine/outcome.js';
import type { SessionRunner } from '../../src/executors/executor.js';
import { createRemoteExecutor } from '../../src/executors/remote.js';
import { silentLogger } from '../../src/log.js';
import { packageRoot } from '../../src/package-info.js';
import { computeService, type InfoReply } from '../../src/remote/proto.js';
import { TestHost } from '../support/host.js';
import { processesUnder, waitNoProcessesUnder } from '../support/processes.js';
import { noNvcc, Recorder } from './session-harness.js';

/** What one session cell gave. */
interface Ran {
  outcome: RunOutcome;
  stdout: string;
  stderr: string;
  /** ename: evalue and the traceback, for assertion messages. */
  said: string;
}

/** A kernel's session cells on `host`, numbered as a notebook would. */
class Cells {
  count = 0;
  readonly sessions: SessionRunner;
  constructor(host: TestHost, tokenFile?: string) {
    this.sessions = createRemoteExecutor({ host: host.address, tls: 'auto', tokenFile }).sessions;
  }

  /** Runs one cell; `until` aborts it (an interrupt) once its stdout holds that text; `seen` hears its stdout so far. */
  async run(source: string, options: { until?: string; seen?: (stdout: string) => void } = {}): Promise<Ran> {
    const output = new Recorder();
    const abort = new AbortController();
    const stream = output.stream.bind(output);
    output.stream = (name, text) => {
      stream(name, text);
      options.seen?.(output.text.stdout);
      if (options.until && output.text.stdout.includes(options.until)) abort.abort();
    };
    const outcome = await this.sessions.runCell(source, { executionCount: ++this.count, flags: [], signal: abort.signal, output });
    return { outcome, ...output.text, said: said(outcome, output.text.stderr) };
  }

  /** %replay, with its output. */
  async replay(): Promise<Ran> {
    const output = new Recorder();
    const outcome = await this.sessions.replay({ signal: new AbortController().signal, output });
    return { outcome, ...output.text, said: said(outcome, output.text.stderr) };
  }
}

function said(outcome: RunOutcome, stderr: string): string {
  return `${outcome.status === 'error' ? `${outcome.ename}: ${outcome.evalue}\n${outcome.traceback.join('\n')}` : 'ok'}\n${stderr}`;
}

/** Asserts the cell succeeded. */
function ok(ran: Ran): Ran {
  assert.equal(ran.outcome.status, 'ok', ran.said);
  return ran;
}

/** Asserts the cell failed with `ename`; answers its error. */
function failed(ran: Ran, ename: string): { evalue: string; traceback: string[] } {
  assert.equal(ran.outcome.status === 'error' && ran.outcome.ename, ename, ran.said);
  return ran.outcome as never;
}

/** The host's Info. */
function info(host: TestHost): Promise<InfoReply> {
  const client = new (computeService().Client)(host.address, grpc.credentials.createInsecure()) as any;
  return new Promise<InfoReply>((resolve, reject) =>
    client.Info({}, (e: Error | null, r: InfoReply) => (e ? reject(e) : resolve(r))),
  ).finally(() => client.close());
}

/** Waits until the host's log has a line matching `pattern` (or `ms` pass); answers whether it came. */
async function logSays(host: TestHost, pattern: RegExp, ms = 5000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!pattern.test(host.log) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  return pattern.test(host.log);
}

// One compile cache for every host of this file: the session runner is built once.
let cache: string;
before(async () => (cache = await mkdtemp(join(tmpdir(), 'icuda-remote-sessions-'))));
after(async () => rm(cache, { recursive: true, force: true }));
const start = (args: string[] = []) => TestHost.start(args, { env: { ICUDA_CACHE_DIR: cache } });

describe('session cells on a GPU host', { skip: noNvcc }, () => {
  let host: TestHost;
  let cells: Cells;
  before(async () => {
    host = await start();
    cells = new Cells(host);
  });
  after(async () => {
    await cells?.sessions.close();
    await host?.close();
  });

  test('what a cell defines stays for later cells; a redefinition takes effect', async () => {
    ok(await cells.run('#include <cstdio>\nint counter = 40;\nint scaled(int x) { return 2 * x; }'));
    const second = ok(await cells.run('counter += 2;\nprintf("counter=%d scaled=%d\\n", counter, scaled(counter));'));
    assert.equal(second.stdout, 'counter=42 scaled=84\n');
    const third = ok(await cells.run('int scaled(int x) { return 3 * x; }\nprintf("scaled=%d\\n", scaled(counter));'));
    assert.equal(third.stdout, 'scaled=126\n');
    assert.deepEqual(
      (await cells.sessions.describe()).map(({ name, kind, cell }) => [name, kind, cell]),
      [
        ['counter', 'variable', 1],
        ['scaled', 'function', 3],
      ],
    );
  });

  test("a compile error names the cell's line; the session is intact", async () => {
    const bad = await cells.run('counter += 1;\n\nint y = not_defined_anywhere;\n');
    const error = failed(bad, 'CompileError');
    assert.ok(
      error.traceback.some((line) => line.includes(`cell[${cells.count}](3): error: identifier "not_defined_anywhere" is undefined`)),
      bad.said,
    );
    assert.equal(ok(await cells.run('printf("%d\\n", counter);')).stdout, '42\n', 'nothing of the failed cell ran');
  });

  test('interrupt stops the cell on the host; the session lives on', async () => {
    const loop = await cells.run('printf("looping\\n");\nfflush(stdout);\nfor (volatile int spin = 0;;) spin = spin + 1;', {
      until: 'looping',
    });
    failed(loop, 'Interrupted');
    assert.equal(ok(await cells.run('printf("after %d\\n", counter);')).stdout, 'after 42\n');
  });

  test('%replay runs the completed cells again in a fresh session; %reset forgets them', async () => {
    const replayed = ok(await cells.replay());
    assert.match(
      replayed.stdout,
      /^\[replay\] cell \[1\]\n\[replay\] cell \[2\]\ncounter=42 scaled=84\n\[replay\] cell \[3\]\nscaled=126\n/,
    );
    assert.equal(ok(await cells.run('printf("%d\\n", counter);')).stdout, '42\n', 'cell 2 ran once again: 40 + 2');
    await cells.sessions.reset();
    assert.deepEqual(await cells.sessions.describe(), []);
    failed(await cells.run('printf("%d\\n", counter);'), 'CompileError');
    assert.equal((await cells.replay()).stdout, '', 'nothing left to replay after %reset');
  });
});

describe("the host's limits on sessions", { skip: noNvcc }, () => {
  test('a session idle past --session-idle ends: the next cell says what was lost, then a fresh one works', async () => {
    const host = await start(['--session-idle', '2', '--max-sessions', '3']);
    const cells = new Cells(host);
    try {
      const about = await info(host);
      assert.deepEqual([about.session_idle_s, about.max_sessions, about.open_sessions], [2, 3, 0]);
      ok(await cells.run('int kept = 7;'));
      assert.equal((await info(host)).open_sessions, 1);
      assert.ok((await processesUnder(host.tmp)).length > 0, 'the session runner runs under the host TMPDIR');
      assert.ok(await logSays(host, /it ran no cell for 2 s.*"msg":"session ended"/, 6000), host.log);
      assert.deepEqual(await waitNoProcessesUnder(host.tmp, 3000), [], 'its runner ended with it');
      const expired = failed(await cells.run('printf("%d\\n", kept);'), 'SessionExpired');
      assert.match(expired.evalue, new RegExp(`^the session on ${host.address.replaceAll('.', '\\.')} ended: it ran no cell for 2 s`));
      assert.ok(
        expired.traceback.includes('What cell [1] defined is lost; the next cell starts a fresh session (%replay runs them again).'),
      );
      assert.equal(ok(await cells.run('printf("fresh\\n");')).stdout, 'fresh\n');
      assert.equal(ok(await cells.replay()).stdout, '[replay] cell [1]\n[replay] cell [3]\nfresh\n', '%replay brings back what was lost');
      assert.equal(ok(await cells.run('printf("%d\\n", kept);')).stdout, '7\n');
    } finally {
      await cells.sessions.close();
      await host.close();
    }
  });

  test('past --max-sessions a kernel is refused, until another ends its session', async () => {
    const host = await start(['--max-sessions', '1']);
    const [a, b] = [new Cells(host), new Cells(host)];
    try {
      ok(await a.run('int mine = 1;'));
      const refused = failed(await b.run('int theirs = 2;'), 'HostRefused');
      assert.match(refused.evalue, /refused the session cell: this host holds its limit of 1 sessions \(--max-sessions\)/);
      await a.sessions.close();
      assert.equal(ok(await b.run('int theirs = 2;\nprintf("%d\\n", theirs);')).stdout, '2\n');
    } finally {
      await a.sessions.close();
      await b.sessions.close();
      await host.close();
    }
  });

  test("a session cell holds a job slot while it runs, and stops at the host's output limit", async () => {
    const host = await start(['--max-jobs', '1', '--max-output', '4096']);
    const cells = new Cells(host);
    const programs = createRemoteExecutor({ host: host.address, tls: 'auto' });
    try {
      let running!: () => void;
      const started = new Promise<void>((resolve) => (running = resolve));
      const holding = cells.run('#include <unistd.h>\nint mine = 5;\nprintf("holding the slot\\n");\nfflush(stdout);\nsleep(3);', {
        seen: (stdout) => stdout.includes('holding the slot') && running(),
      });
      await started;
      const output = new Recorder();
      const job = {
        source: '#include <cstdio>\nint main() { printf("program ran\\n"); }\n',
        flags: [],
        args: [],
        env: {},
        executionCount: 9,
      };
      const program = await programs.execute(job, { output, signal: new AbortController().signal, log: silentLogger() });
      assert.equal(program.status, 'ok');
      assert.match(output.text.stderr, /^\[icuda host\] queued: position 1\n/, 'the program waited for the session cell');
      assert.equal(output.text.stdout, 'program ran\n');
      ok(await holding);
      const flood = failed(await cells.run('for (;;) printf("0123456789\\n");'), 'OutputLimitError');
      assert.match(flood.evalue, /^the cell printed more than the host's 4096 byte limit and was stopped$/);
      assert.equal(ok(await cells.run('printf("%d\\n", mine);')).stdout, '5\n', 'the session lives on');
    } finally {
      await cells.sessions.close();
      await host.close();
    }
  });

  test('a kernel that dies ends its session on the host at once (its hold on it dropped)', async () => {
    const host = await start();
    try {
      const kernel = spawn(process.execPath, ['--input-type=module', '-e', DYING_KERNEL, host.address], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const said = await new Promise<string>((resolve) => kernel.stdout.once('data', (chunk: Buffer) => resolve(String(chunk))));
      assert.equal(said, 'ran ok\n');
      assert.ok((await processesUnder(host.tmp)).length > 0, 'its session runner runs');
      kernel.kill('SIGKILL');
      assert.ok(await logSays(host, /the kernel that held it went away.*"msg":"session ended"/), host.log);
      assert.deepEqual(await waitNoProcessesUnder(host.tmp, 3000), [], 'the runner ended with the session');
      assert.equal((await info(host)).open_sessions, 0);
    } finally {
      await host.close();
    }
  });

  test('a host that stops ends every session runner; restarted, it says the session is gone', async () => {
    const host = await start();
    const cells = new Cells(host);
    try {
      ok(await cells.run('int alive = 1;'));
      assert.ok((await processesUnder(host.tmp)).length > 0);
      assert.equal(await host.stop(), 0);
      assert.deepEqual(await waitNoProcessesUnder(host.tmp, 2000), [], 'no runner outlives the host');
      assert.deepEqual(await readdir(host.tmp), [], 'the host removed its scratch directory');
      assert.match(failed(await cells.run('printf("%d\\n", alive);'), 'HostError').evalue, /UNAVAILABLE/);
      const again = await TestHost.start([], { port: host.port, home: host.home, env: { ICUDA_CACHE_DIR: cache } });
      try {
        const gone = failed(await cells.run('printf("%d\\n", alive);'), 'SessionExpired');
        assert.match(gone.evalue, /ended: the host has no record of it: it was restarted since$/);
      } finally {
        await again.close();
      }
    } finally {
      await cells.sessions.close();
      await host.close();
    }
  });

  test('session calls need the token as programs do', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'icuda-session-token-'));
    await writeFile(join(dir, 'token'), 'right-token\n');
    await writeFile(join(dir, 'wrong'), 'wrong-token\n');
    const host = await start(['--token-file', join(dir, 'token')]);
    const wrong = new Cells(host, join(dir, 'wrong'));
    try {
      const refused = failed(await wrong.run('printf("must not run\\n");'), 'HostError');
      assert.match(refused.evalue, /cannot run on 127\.0\.0\.1:\d+: UNAUTHENTICATED/);
      assert.ok(!host.log.includes('right-token'));
      await assert.rejects(info(host), (e: grpc.ServiceError) => e.code === grpc.status.UNAUTHENTICATED);
    } finally {
      await wrong.sessions.close();
      await host.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

/** A kernel process (the remote executor) that runs one session cell, says so, and waits to be killed. */
const DYING_KERNEL = `
import { createRemoteExecutor } from ${JSON.stringify(join(packageRoot, 'dist', 'src', 'executors', 'remote.js'))};
const sessions = createRemoteExecutor({ host: process.argv[1], tls: 'auto' }).sessions;
const output = { stream() {}, display() {}, updateDisplay() {}, clearOutput() {}, async flush() {} };
const outcome = await sessions.runCell('int held = 1;', { executionCount: 1, flags: [], signal: new AbortController().signal, output });
process.stdout.write('ran ' + outcome.status + '\\n');
setInterval(() => {}, 1000);
`;
