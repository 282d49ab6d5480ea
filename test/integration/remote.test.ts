// The remote executor end to end: a real `icuda host` on a loopback port, kernels started by
// jupyter_client with ICUDA_EXECUTOR=remote, the real nvcc on the host's side.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { service as healthService } from 'grpc-health-check';
import { computeService, type ComputeResponse } from '../../src/remote/proto.js';
import { executeContent, exchanges, missingClient, streamText, TestKernel, type Exchange } from '../support/jupyter.js';
import { refusedHost, TestHost } from '../support/host.js';
import { waitNoProcessesUnder } from '../support/processes.js';

const skip = missingClient();
if (skip && process.env.CI) throw new Error(`CI must run the jupyter_client tests: ${skip}`);

const program = (body: string) => `#include <cstdio>\n#include <unistd.h>\nint main(int argc, char **argv) {\n${body}\n}\n`;
const remoteEnv = (host: TestHost, extra: Record<string, string> = {}) => ({
  ICUDA_EXECUTOR: 'remote',
  ICUDA_HOST: host.address,
  ...extra,
});

/** The error a cell ended with. */
function errorOf(ex: Exchange): { ename: string; evalue: string; traceback: string[] } {
  assert.equal(ex.reply.content.status, 'error', JSON.stringify(ex.reply.content));
  return ex.reply.content as never;
}

describe('cells run on a GPU host over gRPC', { skip }, () => {
  let host: TestHost;
  let k: TestKernel;
  before(async () => {
    host = await TestHost.start();
    k = await TestKernel.start({ env: remoteEnv(host) });
  });
  after(async () => {
    await k?.close();
    await host?.close();
  });

  test('hello world, and the banner says where cells run', async () => {
    const ex = await k.execute(program('printf("Hello from the host\\n"); return 0;'));
    assert.equal(ex.reply.content.status, 'ok');
    assert.equal(streamText(ex, 'stdout'), 'Hello from the host\n');
    const info = await k.request('kernel_info_request');
    assert.match(info.reply.content.banner, new RegExp(`on ${host.address} \\(remote GPU host\\)`));
  });

  test('output streams while the program runs on the host', async () => {
    const ex = await k.execute(program('printf("first\\n"); sleep(1); printf("second\\n"); return 0;'));
    const streams = ex.iopub.filter((m) => m.msg_type === 'stream');
    const at = (text: string) => streams.find((m) => m.content.text.includes(text))!.t;
    assert.ok(at('second') - at('first') >= 0.8, `second line ${at('second') - at('first')} s after the first`);
  });

  test("a compile error carries nvcc's diagnostics naming the cell line", async () => {
    const ex = await k.execute('#include <cstdio>\nint main() {\n  return undefined_thing;\n}\n');
    const err = errorOf(ex);
    assert.equal(err.ename, 'CompileError');
    assert.match(err.evalue, /1 error/);
    const count = ex.reply.content.execution_count;
    assert.ok(
      err.traceback.some((l) => l.includes(`cell[${count}](3)`) && l.includes('undefined_thing')),
      err.traceback.join('\n'),
    );
  });

  test('session cells keep their state on the host, and %reset starts afresh', async () => {
    // A kernel of its own: its session (and runner) on the host end when it closes.
    const s = await TestKernel.start({ env: remoteEnv(host) });
    try {
      const first = await s.execute('#include <cstdio>\nint visits = 0;\nint bump() { return ++visits; }\n');
      assert.equal(first.reply.content.status, 'ok', JSON.stringify(first.reply.content));
      await s.execute('bump();');
      const shown = await s.execute('printf("visits %d\\n", bump());');
      assert.equal(streamText(shown, 'stdout'), 'visits 2\n');
      assert.equal((await s.execute('%reset')).reply.content.status, 'ok');
      const gone = errorOf(await s.execute('printf("%d\\n", visits);'));
      assert.equal(gone.ename, 'CompileError', 'after %reset the old names are gone');
    } finally {
      await s.close();
    }
  });

  test('a non-zero exit is the same RuntimeError as locally', async () => {
    const err = errorOf(await k.execute(program('fprintf(stderr, "bad\\n"); return 3;')));
    assert.equal(err.ename, 'RuntimeError');
    assert.equal(err.evalue, 'exited with code 3');
  });

  test('a flag writing outside the job directory is refused by the host', async () => {
    const err = errorOf(await k.execute('%flags -o /tmp/elsewhere\n' + program('return 0;')));
    assert.equal(err.ename, 'HostRefused');
    assert.match(err.evalue, /"-o" would write outside the job directory/);
  });

  test('interrupt cancels the remote job; its processes are gone on the host', async () => {
    const id = await k.send('execute_request', executeContent(program('printf("looping\\n"); for (;;) {}')));
    const early = await k.collect([id], { untilText: 'looping' });
    assert.ok((await waitNoProcessesUnder(host.tmp, 0)).length > 0, 'the program runs under the host TMPDIR');
    await k.lifecycle('interrupt');
    const [ex] = exchanges([id], [...early, ...(await k.collect([id], { timeout: 15 }))]);
    assert.equal(errorOf(ex).ename, 'Interrupted');
    assert.deepEqual(await waitNoProcessesUnder(host.tmp, 5000), [], 'nothing of the job survives on the host');
    assert.equal(streamText(await k.execute(program('printf("still here\\n"); return 0;')), 'stdout'), 'still here\n');
  });

  test('the host restarted between two cells: a clear error while down, then it just works', async () => {
    const port = host.port;
    assert.equal(await host.stop(), 0, 'SIGTERM stops the host cleanly');
    const down = errorOf(await k.execute(program('return 0;')));
    assert.equal(down.ename, 'HostError');
    assert.match(down.evalue, new RegExp(`cannot run on 127\\.0\\.0\\.1:${port}: UNAVAILABLE`));
    host = await TestHost.start([], { port, home: host.home });
    assert.equal(streamText(await k.execute(program('printf("back\\n"); return 0;')), 'stdout'), 'back\n');
  });
});

describe('a GPU host behind TLS and a token', { skip }, () => {
  let dir: string;
  let host: TestHost;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'icuda-tls-'));
    makeTestCa(dir);
    await writeFile(join(dir, 'token'), 's3cret-token\n');
    await writeFile(join(dir, 'wrong'), 'not-the-token\n');
    host = await TestHost.start([
      '--tls-cert',
      join(dir, 'host.crt'),
      '--tls-key',
      join(dir, 'host.key'),
      '--token-file',
      join(dir, 'token'),
    ]);
  });
  after(async () => {
    await host?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('the right token over TLS runs; a wrong or missing token is UNAUTHENTICATED; the token is never logged', async () => {
    const tls = { ICUDA_TLS_CA: join(dir, 'ca.crt') };
    const ok = await TestKernel.start({ env: remoteEnv(host, { ...tls, ICUDA_TOKEN_FILE: join(dir, 'token') }) });
    try {
      assert.equal(streamText(await ok.execute(program('printf("over TLS\\n"); return 0;')), 'stdout'), 'over TLS\n');
    } finally {
      await ok.close();
    }
    for (const token of [{ ICUDA_TOKEN_FILE: join(dir, 'wrong') }, {}] as Record<string, string>[]) {
      const bad = await TestKernel.start({ env: remoteEnv(host, { ...tls, ...token }) });
      try {
        const err = errorOf(await bad.execute(program('printf("must not run\\n"); return 0;')));
        assert.equal(err.ename, 'HostError');
        assert.match(err.evalue, /cannot run on 127\.0\.0\.1:\d+: UNAUTHENTICATED/);
      } finally {
        await bad.close();
      }
    }
    assert.ok(!host.log.includes('s3cret-token'), 'the token is not in the log');
    assert.ok(!host.log.includes('must not run'));
  });

  test('with --tls-client-ca only a client holding a certificate from that CA gets in (mTLS)', async () => {
    const mtls = await TestHost.start([
      '--tls-cert',
      join(dir, 'host.crt'),
      '--tls-key',
      join(dir, 'host.key'),
      '--tls-client-ca',
      join(dir, 'ca.crt'),
      '--token-file',
      join(dir, 'token'),
    ]);
    const base = { ICUDA_TLS_CA: join(dir, 'ca.crt'), ICUDA_TOKEN_FILE: join(dir, 'token') };
    const withCert = await TestKernel.start({
      env: remoteEnv(mtls, { ...base, ICUDA_TLS_CERT: join(dir, 'client.crt'), ICUDA_TLS_KEY: join(dir, 'client.key') }),
    });
    const without = await TestKernel.start({ env: remoteEnv(mtls, base) });
    try {
      assert.equal(streamText(await withCert.execute(program('printf("mutual\\n"); return 0;')), 'stdout'), 'mutual\n');
      const err = errorOf(await without.execute(program('return 0;')));
      assert.equal(err.ename, 'HostError');
      assert.match(err.evalue, /cannot run on 127\.0\.0\.1:\d+: UNAVAILABLE/);
    } finally {
      await withCert.close();
      await without.close();
      await mtls.close();
    }
  });

  test('a client without the CA cannot connect, and says so', async () => {
    const k = await TestKernel.start({ env: remoteEnv(host, { ICUDA_TLS: 'on', ICUDA_TOKEN_FILE: join(dir, 'token') }) });
    try {
      const err = errorOf(await k.execute(program('return 0;')));
      assert.equal(err.ename, 'HostError');
      assert.match(err.evalue, /cannot run on 127\.0\.0\.1:\d+: UNAVAILABLE/);
    } finally {
      await k.close();
    }
  });
});

describe('the host refuses to be exposed carelessly', () => {
  test('a non-loopback address without TLS and a token is refused unless --insecure', async () => {
    const { code, stderr } = await refusedHost(['--listen', '0.0.0.0:0']);
    assert.equal(code, 2);
    assert.match(stderr, /refusing to listen on 0\.0\.0\.0 \(not loopback\).*--insecure/);
  });

  test('--insecure starts it, with a loud warning', async () => {
    const host = await TestHost.start(['--listen', '0.0.0.0:0', '--insecure']);
    try {
      assert.match(host.log, /INSECURE: listening on 0\.0\.0\.0:0 without TLS/);
    } finally {
      await host.close();
    }
  });
});

describe('one job at a time', { skip }, () => {
  let host: TestHost;
  before(async () => {
    host = await TestHost.start(['--max-jobs', '1']);
  });
  after(async () => {
    await host?.close();
  });

  test('a second kernel is told its queue position, then runs', async () => {
    const [a, b] = await Promise.all([TestKernel.start({ env: remoteEnv(host) }), TestKernel.start({ env: remoteEnv(host) })]);
    try {
      const idA = await a.send('execute_request', executeContent(program('printf("A running\\n"); sleep(4); return 0;')));
      await a.collect([idA], { untilText: 'A running' });
      const exB = await b.execute(program('printf("B ran\\n"); return 0;'));
      assert.match(streamText(exB, 'stderr'), /queued: position 1/);
      assert.equal(streamText(exB, 'stdout'), 'B ran\n');
      const [exA] = exchanges([idA], await a.collect([idA], { timeout: 30 }));
      assert.equal(exA.reply.content.status, 'ok');
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('a client that knows only the original fields', () => {
  let host: TestHost;
  let dir: string;
  before(async () => {
    host = await TestHost.start();
    dir = await mkdtemp(join(tmpdir(), 'icuda-old-'));
  });
  after(async () => {
    await host?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('reads output and is_error', async () => {
    const proto = join(dir, 'old.proto');
    await writeFile(
      proto,
      `syntax = "proto3"; package compute;
service CUDAExecutor { rpc ExecuteCode(ComputeRequest) returns (stream ComputeResponse); }
message ComputeRequest { string source_code = 1; string file_name = 2; repeated string compiler_flags = 3; }
message ComputeResponse { string output = 1; bool is_error = 2; }\n`,
    );
    const pkg = grpc.loadPackageDefinition(protoLoader.loadSync(proto, { keepCase: true })) as any;
    const client = new pkg.compute.CUDAExecutor(host.address, grpc.credentials.createInsecure());
    const run = (source: string) =>
      new Promise<{ output: string; is_error: boolean }[]>((resolve, reject) => {
        const got: { output: string; is_error: boolean }[] = [];
        const call = client.ExecuteCode({ source_code: source, file_name: '../../etc/passwd.cu', compiler_flags: ['-DGREETING="old"'] });
        call.on('data', (m: any) => {
          assert.deepEqual(Object.keys(m).sort(), ['is_error', 'output']);
          got.push(m);
        });
        call.on('error', reject);
        call.on('end', () => resolve(got));
      });
    try {
      const ok = await run(program('printf("%s stdout\\n", GREETING); fprintf(stderr, "old stderr\\n"); return 0;'));
      assert.deepEqual(
        ok.filter((m) => m.output !== ''),
        [
          { output: 'old stdout\n', is_error: false },
          { output: 'old stderr\n', is_error: true },
        ],
      );
      const bad = await run('int main() { return nope; }\n');
      assert.ok(
        bad.some((m) => m.is_error && /passwd\.cu\(1\): error: identifier "nope" is undefined/.test(m.output)),
        JSON.stringify(bad),
      );
      assert.ok(bad.some((m) => m.is_error && m.output === 'CompileError: 1 error\n'));
    } finally {
      client.close();
    }
  });
});

/** A CA, and a host certificate for 127.0.0.1 and a client certificate signed by it, made with the openssl CLI. */
function makeTestCa(dir: string): void {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=icuda test CA');
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'host.key', '-out', 'host.csr', '-subj', '/CN=localhost');
  execFileSync('sh', ['-c', 'printf "subjectAltName=IP:127.0.0.1,DNS:localhost\\n" > san.ext'], { cwd: dir });
  ssl(
    'x509',
    '-req',
    '-in',
    'host.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'host.crt',
    '-days',
    '1',
    '-extfile',
    'san.ext',
  );
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'client.key', '-out', 'client.csr', '-subj', '/CN=notebook');
  ssl('x509', '-req', '-in', 'client.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'client.crt', '-days', '1');
}

describe("the host's Info, health service and graceful stop", () => {
  /** Runs one job with the full protocol; resolves with its events once the call ends. */
  const runJob = (host: TestHost, source: string, onEvent: (m: ComputeResponse) => void = () => undefined, extra: object = {}) => {
    const client = new (computeService().Client)(host.address, grpc.credentials.createInsecure()) as any;
    return new Promise<ComputeResponse[]>((resolve, reject) => {
      const got: ComputeResponse[] = [];
      const call = client.ExecuteCode({ source_code: source, execution_count: 1, ...extra });
      call.on('data', (m: ComputeResponse) => {
        got.push(m);
        onEvent(m);
      });
      call.on('error', reject);
      call.on('end', () => resolve(got));
    }).finally(() => client.close());
  };

  test('Info tells limits and nvcc; health says SERVING', async () => {
    const host = await TestHost.start(['--max-jobs', '3', '--job-timeout', '60']);
    try {
      const client = new (computeService().Client)(host.address, grpc.credentials.createInsecure()) as any;
      const info = await new Promise<any>((resolve, reject) =>
        client.Info({}, (e: Error | null, r: unknown) => (e ? reject(e) : resolve(r))),
      );
      assert.equal(info.max_jobs, 3);
      assert.equal(info.job_timeout_s, 60);
      assert.match(info.nvcc_version, /^\d+\.\d+$/);
      assert.equal(info.queued_jobs, 0);
      client.close();
      const Health = grpc.makeGenericClientConstructor(healthService, 'Health');
      const health = new Health(host.address, grpc.credentials.createInsecure()) as any;
      const reply = await new Promise<any>((resolve, reject) =>
        health.check({ service: 'compute.CUDAExecutor' }, (e: Error | null, r: unknown) => (e ? reject(e) : resolve(r))),
      );
      assert.equal(reply.status, 'SERVING');
      health.close();
    } finally {
      await host.close();
    }
  });

  test('stdin data, the output limit and the source limit', async () => {
    const host = await TestHost.start(['--max-output', '4096', '--max-source', '2000']);
    try {
      const echo = await runJob(
        host,
        program('char a[64], b[64]; if (!fgets(a, 64, stdin) || !fgets(b, 64, stdin)) return 1; printf("%s%s", b, a); return 0;'),
        undefined,
        { stdin_data: Buffer.from('one\ntwo\n') },
      );
      assert.equal(
        echo
          .filter((m) => m.kind === 'EVENT_KIND_STDOUT')
          .map((m) => m.output)
          .join(''),
        'two\none\n',
      );
      const flood = await runJob(host, program('for (;;) printf("0123456789\\n");'));
      assert.equal(flood.at(-1)!.error_name, 'OutputLimitError');
      assert.ok(flood.filter((m) => m.kind === 'EVENT_KIND_STDOUT').reduce((n, m) => n + m.output.length, 0) <= 4096);
      await assert.rejects(
        runJob(host, '//' + 'x'.repeat(3000)),
        (e: grpc.ServiceError) => e.code === grpc.status.INVALID_ARGUMENT && /at most 2000/.test(e.details),
      );
      assert.deepEqual(await waitNoProcessesUnder(host.tmp, 2000), []);
    } finally {
      await host.close();
    }
  });

  test('SIGTERM lets a running job finish within the grace period', async () => {
    const host = await TestHost.start(['--grace', '20']);
    try {
      let stopped: Promise<number | null> | undefined;
      const events = await runJob(host, program('printf("started\\n"); sleep(2); printf("done\\n"); return 0;'), (m) => {
        if (m.output === 'started\n') stopped = host.stop();
      });
      assert.ok(events.some((m) => m.output === 'done\n'));
      assert.equal(events.at(-1)!.kind, 'EVENT_KIND_EXIT');
      assert.equal(events.at(-1)!.error_name, '');
      assert.equal(await stopped, 0);
    } finally {
      await host.close();
    }
  });

  test('past the grace period the job is killed; nothing is left behind', async () => {
    const host = await TestHost.start(['--grace', '1']);
    try {
      let stopped: Promise<number | null> | undefined;
      const events = await runJob(host, program('printf("looping\\n"); for (;;) {}'), (m) => {
        if (m.output === 'looping\n') stopped = host.stop();
      });
      assert.equal(events.at(-1)!.error_name, 'HostShutdown');
      assert.equal(await stopped, 0);
      assert.deepEqual(await waitNoProcessesUnder(host.tmp, 2000), []);
      assert.deepEqual(await readdir(host.tmp), [], 'the host removed its scratch directory');
    } finally {
      await host.close();
    }
  });
});
