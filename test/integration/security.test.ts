// The kernel's secrets and surface: the connection key never reaches the log, a connection
// file others can read earns a warning, and the sockets bind only the connection file's address.
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { packageRoot } from '../../src/package-info.js';
import { missingClient, TestKernel } from '../support/jupyter.js';

const skip = missingClient();

describe('the connection key stays secret', { skip }, () => {
  let k: TestKernel;
  before(async () => {
    k = await TestKernel.start();
  });
  after(async () => {
    await k?.close();
  });

  test('a debug-level log of a whole session never contains the key', async () => {
    await k.request('kernel_info_request');
    await k.execute('#include <cstdio>\nint main() { printf("hi\\n"); }\n');
    const forged = await k.call({ op: 'sign', key: 'not-the-key', msg_type: 'kernel_info_request' });
    await k.call({ op: 'raw', channel: 'shell', frames: forged.frames, wait_ms: 300 });
    await k.lifecycle('restart');
    await k.request('kernel_info_request');
    assert.match(k.stderr, /"msg":"kernel listening"/, 'the kernel log was captured');
    assert.match(k.stderr, /dropped a message/, 'the forged message was logged');
    assert.ok(k.key.length >= 16);
    assert.equal(k.stderr.includes(k.key), false, 'the key appears in the log');
  });
});

/** Five free loopback ports. */
async function freePorts(): Promise<number[]> {
  const servers = await Promise.all(
    [0, 1, 2, 3, 4].map(async () => {
      const server = createServer();
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      return server;
    }),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

/** Starts `icuda kernel` on a hand-written connection file with `mode`; resolves once it
 * listens, with its pid, its log so far and a stop function. */
async function kernelWithMode(dir: string, mode: number) {
  const [shell, control, stdin, iopub, hb] = await freePorts();
  const file = join(dir, `kernel-${mode.toString(8)}.json`);
  await writeFile(
    file,
    JSON.stringify({
      transport: 'tcp',
      ip: '127.0.0.1',
      shell_port: shell,
      control_port: control,
      stdin_port: stdin,
      iopub_port: iopub,
      hb_port: hb,
      key: 'a-secret-key-0123456789',
      signature_scheme: 'hmac-sha256',
    }),
  );
  await chmod(file, mode);
  const child = spawn(process.execPath, [join(packageRoot, 'bin', 'icuda.js'), 'kernel', '-f', file], {
    env: { ...process.env, ICUDA_LOG_LEVEL: 'info', TMPDIR: dir },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr.on('data', (chunk) => {
    log += chunk;
  });
  const deadline = Date.now() + 30_000;
  while (!log.includes('kernel listening') && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
  assert.match(log, /kernel listening/, log);
  const stop = async () => {
    child.kill('SIGTERM');
    if (child.exitCode === null) await once(child, 'exit');
  };
  return { pid: child.pid!, log: () => log, stop, ports: [shell, control, stdin, iopub, hb] };
}

describe('connection file and sockets', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'icuda-sec-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('a connection file readable by others earns a warning; a private one does not', async () => {
    const exposed = await kernelWithMode(dir, 0o644);
    await exposed.stop();
    assert.match(exposed.log(), /other users can read its key/);
    assert.equal(exposed.log().includes('a-secret-key-0123456789'), false);
    const private_ = await kernelWithMode(dir, 0o600);
    await private_.stop();
    assert.doesNotMatch(private_.log(), /other users can read/);
  });

  test("the five sockets listen on the connection file's address and nowhere else", async (t) => {
    let ss: string;
    try {
      ss = execFileSync('ss', ['-ltnpH'], { encoding: 'utf8' });
    } catch {
      t.skip('ss (iproute2) is not installed');
      return;
    }
    const kernel = await kernelWithMode(dir, 0o600);
    try {
      ss = execFileSync('ss', ['-ltnpH'], { encoding: 'utf8' });
      const mine = ss.split('\n').filter((line) => line.includes(`pid=${kernel.pid},`));
      const addresses = mine.map((line) => line.trim().split(/\s+/)[3]).sort();
      assert.deepEqual(addresses, kernel.ports.map((p) => `127.0.0.1:${p}`).sort());
    } finally {
      await kernel.stop();
    }
  });
});
