// Faults around the kernel: nvcc crashing or hanging, and a frontend that disappears
// mid-execution and comes back. Each ends in a clear error or a served request; the kernel
// stays alive and leaves nothing behind.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { executeContent, missingClient, streamText, TestKernel } from '../support/jupyter.js';

const skip = missingClient();
const HELLO = '#include <cstdio>\nint main() { printf("fine\\n"); return 0; }\n';

/** A fake nvcc: answers --version like nvcc 13 and then does `body` for a compile. */
async function fakeNvcc(dir: string, body: string): Promise<string> {
  const path = join(dir, 'nvcc');
  await writeFile(
    path,
    `#!/bin/sh\nif [ "$1" = "--version" ]; then echo "Cuda compilation tools, release 13.0, V13.0.88"; exit 0; fi\n${body}\n`,
  );
  await chmod(path, 0o755);
  return path;
}

/** Files left under the kernel's run directories once their removal (in the background, after
 * each cell) has had 2 s to finish. */
async function leftoverRuns(k: TestKernel): Promise<string[]> {
  const deadline = Date.now() + 2000;
  for (;;) {
    const left: string[] = [];
    for (const entry of await readdir(k.tmp)) {
      if (!entry.startsWith(`icuda-${k.pid}-`)) continue;
      left.push(...(await readdir(join(k.tmp, entry, 'runs')).catch(() => [])));
    }
    if (left.length === 0 || Date.now() > deadline) return left;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('a broken nvcc', { skip }, () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'icuda-faults-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('an nvcc that crashes gives a CompileError naming the crash; nothing is left behind', async () => {
    const k = await TestKernel.start({ env: { NVCC: await fakeNvcc(dir, 'kill -SEGV $$') } });
    try {
      const ex = await k.execute(HELLO);
      assert.equal(ex.reply.content.ename, 'CompileError');
      assert.match(ex.reply.content.evalue, /nvcc failed.*SIGSEGV/i);
      assert.deepEqual(await leftoverRuns(k), []);
      assert.equal((await k.request('kernel_info_request')).reply.content.status, 'ok');
    } finally {
      await k.close();
    }
  });

  test('an nvcc that hangs is killed at ICUDA_COMPILE_TIMEOUT, or by an interrupt', async () => {
    const k = await TestKernel.start({ env: { NVCC: await fakeNvcc(dir, 'sleep 600'), ICUDA_COMPILE_TIMEOUT: '2' } });
    try {
      const started = Date.now();
      const ex = await k.execute(`%nocache\n${HELLO}`);
      assert.equal(ex.reply.content.ename, 'CompileError');
      assert.match(ex.reply.content.evalue, /longer than 2 s/);
      assert.ok(Date.now() - started < 30_000);
      assert.deepEqual(await leftoverRuns(k), []);
    } finally {
      await k.close();
    }
  });
});

describe('a frontend that goes away', { skip }, () => {
  let k: TestKernel;
  before(async () => {
    k = await TestKernel.start();
  });
  after(async () => {
    await k?.close();
  });

  test('the cell keeps running while no client is connected; a new client is served and hears iopub', async () => {
    const code =
      '#include <cstdio>\n#include <unistd.h>\nint main() { printf("before\\n"); fflush(stdout); sleep(3); FILE *f = fopen("/dev/null", "w"); fprintf(f, "x"); printf("after\\n"); return 0; }\n';
    const id = await k.send('execute_request', executeContent(code));
    await k.collect([id], { untilText: 'before' });
    await k.call({ op: 'reconnect', away_s: 0.5 });
    // The new client's first request queues behind the running cell and is served after it.
    const next = await k.execute(HELLO, {}, { timeout: 120 });
    assert.equal(next.reply.content.status, 'ok');
    assert.equal(streamText(next, 'stdout'), 'fine\n');
    assert.ok(next.reply.content.execution_count >= 2, 'the counter went on');
  });
});

/** Mounts a tmpfs of `size` at a fresh directory; undefined (with the reason) where this
 * process may not mount (not root, or no mount(8)). */
function tinyTmpfs(size: string): { dir: string } | { why: string } {
  const dir = execFileSync('mktemp', ['-d', join(tmpdir(), 'icuda-tmpfs-XXXXXX')], { encoding: 'utf8' }).trim();
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
    return { dir };
  } catch (error) {
    execFileSync('rmdir', [dir]);
    return { why: `cannot mount a tmpfs here (${String((error as Error).message).split('\n')[0]})` };
  }
}

describe('a scratch location that is full or read-only', { skip }, () => {
  test('the cell gets a ScratchError; the kernel lives; the next cell runs once space returns', async (t) => {
    const mounted = tinyTmpfs('96m');
    if ('why' in mounted) {
      t.skip(mounted.why);
      return;
    }
    const k = await TestKernel.start({ env: { TMPDIR: mounted.dir } });
    try {
      assert.equal((await k.execute(HELLO)).reply.content.status, 'ok');
      // Fill it: write until the file system says no.
      const ballast = join(mounted.dir, 'ballast');
      await writeFile(ballast, Buffer.alloc(128 * 1024 * 1024)).catch(() => undefined);
      const full = await k.execute(`%nocache\n${HELLO}`);
      assert.equal(full.reply.content.status, 'error');
      assert.match(`${full.reply.content.ename}: ${full.reply.content.evalue}`, /ScratchError.*ENOSPC|CompileError/);
      await rm(ballast);
      assert.equal(streamText(await k.execute(HELLO), 'stdout'), 'fine\n');
      // Read-only: EROFS, then writable again.
      execFileSync('mount', ['-o', 'remount,ro', mounted.dir]);
      const readOnly = await k.execute(HELLO);
      assert.equal(readOnly.reply.content.ename, 'ScratchError');
      assert.match(readOnly.reply.content.evalue, /EROFS/);
      execFileSync('mount', ['-o', 'remount,rw', mounted.dir]);
      assert.equal(streamText(await k.execute(HELLO), 'stdout'), 'fine\n');
    } finally {
      await k.close();
      execFileSync('umount', ['-l', mounted.dir]);
      execFileSync('rmdir', [mounted.dir]);
    }
  });
});
