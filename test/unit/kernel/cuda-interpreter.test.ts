// The interpreter end to end without the protocol: a fake nvcc for the paths that must not need
// CUDA, and the real nvcc (skipped when absent) for a hello program and a compile error.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createCudaInterpreter } from '../../../src/kernel/cuda-interpreter.js';
import { deferredCudaInterpreter } from '../../../src/kernel/deferred-interpreter.js';
import { findToolchain, nvccCandidates } from '../../../src/engine/toolchain/toolchain.js';
import type { Interpreter } from '../../../src/protocol/interpreter.js';
import { silentLogger } from '../../../src/log.js';
import { loadSettings, toolPlaces } from '../../../src/settings/settings.js';
import { fakeContext } from '../../support/fakes.js';

const real = await findToolchain(toolPlaces(loadSettings()), process.env);
const noNvcc = real.found ? false : 'no nvcc found (set NVCC or CUDA_HOME to run this test)';

/** The runs left under the kernel's directories once their removal (after each cell, in the
 * background) has had 2 s to finish. */
async function settledRuns(tmp: string): Promise<string[]> {
  const deadline = Date.now() + 2000;
  for (;;) {
    const { runs } = await leftovers(tmp);
    if (runs.length === 0 || Date.now() > deadline) return runs;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The kernel's directories under `tmp` and the runs left in each. */
async function leftovers(tmp: string): Promise<{ kernels: string[]; runs: string[] }> {
  const kernels = (await readdir(tmp)).filter((name) => name.startsWith(`icuda-${process.pid}-`));
  const runs = (await Promise.all(kernels.map((k) => readdir(join(tmp, k, 'runs'))))).flat();
  return { kernels, runs };
}

describe('toolchain lookup', () => {
  test('candidates in order: NVCC, CUDA_HOME, CUDA_PATH, PATH, /usr/local/cuda', () => {
    assert.deepEqual(nvccCandidates(toolPlaces(loadSettings({ NVCC: '/x/nvcc', CUDA_HOME: '/cuda', CUDA_PATH: '/cp', PATH: '/a:/b' }))), [
      '/x/nvcc',
      '/cuda/bin/nvcc',
      '/cp/bin/nvcc',
      '/a/nvcc',
      '/b/nvcc',
      '/usr/local/cuda/bin/nvcc',
    ]);
  });
});

describe('CUDA interpreter with a fake nvcc', () => {
  let tmp: string;
  let interpreter: Interpreter;
  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'icuda-unit-'));
    const nvcc = join(tmp, 'nvcc');
    // Answers --version; otherwise reports one error in the cell, as nvcc would.
    await writeFile(
      nvcc,
      '#!/bin/sh\nif [ "$1" = --version ]; then echo "Cuda compilation tools, release 12.4, V12.4.99"; exit 0; fi\n' +
        'echo "cell[5](2): error: identifier \\"x\\" is undefined" >&2\necho "1 error detected in the compilation of \\"cell.cu\\"." >&2\nexit 2\n',
    );
    await chmod(nvcc, 0o755);
    interpreter = createCudaInterpreter({ log: silentLogger(), settings: loadSettings({ NVCC: nvcc, PATH: '', TMPDIR: tmp }) });
  });
  after(async () => {
    await interpreter.shutdown(false);
    await rm(tmp, { recursive: true, force: true });
  });

  test('kernel_info answers at once, then knows the nvcc version', async () => {
    const info = interpreter.kernelInfo();
    assert.deepEqual([info.implementation, info.languageInfo.name, info.languageInfo.file_extension], ['icuda', 'cuda', '.cu']);
    await interpreter.execute('%default_flags', fakeContext().ctx);
    for (let i = 0; i < 50 && interpreter.kernelInfo().languageInfo.version === ''; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(interpreter.kernelInfo().languageInfo.version, '12.4');
  });

  test('a cell of magics runs no compiler; %default_flags shows what it holds', async () => {
    const { ctx, sink } = fakeContext();
    assert.deepEqual(await interpreter.execute('%default_flags', ctx), { status: 'ok' });
    assert.equal(sink.text('stdout'), 'no default flags\n');
    await interpreter.execute('%default_flags -DVALUE=7 -O2', ctx);
    await interpreter.execute('%default_flags', ctx);
    assert.match(sink.text('stdout'), /default flags: -DVALUE=7 -O2\n$/);
  });

  test('a compile error is a CompileError with the diagnostics, and no scratch is left', async () => {
    const { ctx, sink } = fakeContext(5);
    const outcome = await interpreter.execute('int main() {\n  return x;\n}\n', ctx);
    assert.equal(outcome.status, 'error');
    assert.equal(outcome.status === 'error' && outcome.ename, 'CompileError');
    assert.equal(outcome.status === 'error' && outcome.evalue, '1 error');
    assert.ok(outcome.status === 'error' && outcome.traceback.includes('cell[5](2): error: identifier "x" is undefined'));
    assert.equal(sink.text('stderr'), '');
    assert.deepEqual(await settledRuns(tmp), []);
  });

  test('a bad magic is a MagicError and nothing is compiled', async () => {
    const outcome = await interpreter.execute('%flags -O2\n%frobnicate\nint main() {}', fakeContext().ctx);
    assert.equal(outcome.status === 'error' && outcome.ename, 'MagicError');
    assert.match(outcome.status === 'error' ? outcome.evalue : '', /^line 2: unknown magic %frobnicate/);
  });
});

describe('CUDA interpreter without nvcc', () => {
  test(
    'a cell is a ToolchainNotFound naming where it looked',
    { skip: existsSync('/usr/local/cuda/bin/nvcc') && 'nvcc is in /usr/local/cuda, the last resort' },
    async () => {
      const interpreter = createCudaInterpreter({ log: silentLogger(), settings: loadSettings({ PATH: '/nonexistent' }) });
      try {
        const outcome = await interpreter.execute('int main() {}', fakeContext().ctx);
        assert.equal(outcome.status === 'error' && outcome.ename, 'ToolchainNotFound');
        assert.ok(outcome.status === 'error' && outcome.traceback.some((line) => line.includes('/nonexistent/nvcc')));
      } finally {
        await interpreter.shutdown(false);
      }
    },
  );
});

describe('CUDA interpreter with the real nvcc', { skip: noNvcc }, () => {
  let tmp: string;
  let interpreter: Interpreter;
  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'icuda-unit-'));
    interpreter = createCudaInterpreter({ log: silentLogger(), settings: loadSettings({ ...process.env, TMPDIR: tmp }) });
  });
  after(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  test('hello world prints on stdout; the run directory is removed', async () => {
    const { ctx, sink } = fakeContext(1);
    const code =
      '%args a "b c"\n#include <cstdio>\nint main(int argc, char **argv) {\n  printf("Hello, CUDA! %d %s\\n", argc, argv[2]);\n}\n';
    assert.deepEqual(await interpreter.execute(code, ctx), { status: 'ok' });
    assert.equal(sink.text('stdout'), 'Hello, CUDA! 3 b c\n');
    assert.equal(sink.text('stderr'), '', 'the no-GPU -arch=native warning is hidden');
    assert.equal((await leftovers(tmp)).kernels.length, 1);
    assert.deepEqual(await settledRuns(tmp), []);
  });

  test('a compile error names the cell line the user sees', async () => {
    const { ctx } = fakeContext(3);
    const outcome = await interpreter.execute(
      '%flags -O2\n//% args a b\n#include <cstdio>\nint main() {\n  return undefined_thing;\n}\n',
      ctx,
    );
    assert.equal(outcome.status === 'error' && outcome.evalue, '1 error');
    assert.ok(outcome.status === 'error' && outcome.traceback.some((l) => l.includes('cell[3](5)') && l.includes('undefined_thing')));
  });

  test('shutdown removes the kernel directory', async () => {
    await interpreter.shutdown(false);
    assert.deepEqual((await leftovers(tmp)).kernels, []);
  });
});

describe('the interpreter loaded after the first reply', () => {
  test('kernel_info before it loads; the first request that needs it loads it; shutdown stops it', async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'icuda-unit-deferred-'));
    try {
      const deferred = deferredCudaInterpreter({
        settings: loadSettings({ PATH: '', NVCC: join(tmp, 'no-nvcc'), TMPDIR: tmp }),
        log: silentLogger(),
        loadAfter: new Promise(() => undefined), // the first reply never goes out: only a request loads it
      });
      const early = deferred.kernelInfo();
      assert.equal(early.implementation, 'icuda');
      assert.equal(early.languageInfo.version, '');
      assert.match(early.banner, /compiled by nvcc and run on this machine; GPU: still looking$/);
      assert.deepEqual(deferred.commTargets, ['icuda.status']);
      const outcome = await deferred.execute('%default_flags', fakeContext().ctx);
      assert.deepEqual(outcome, { status: 'ok' });
      await deferred.loaded;
      assert.equal(deferred.kernelInfo().banner.split(';')[0], early.banner.split(';')[0], 'the same words once loaded');
      await deferred.shutdown(false);
      assert.deepEqual(
        (await readdir(tmp)).filter((name) => name.startsWith(`icuda-${process.pid}-`)),
        [],
        'its scratch is gone',
      );
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
