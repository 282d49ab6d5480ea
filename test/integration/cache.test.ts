// The compile cache through real kernels, the real nvcc (behind a wrapper that logs each call)
// and jupyter_client: what misses, what hits without nvcc, corrupt entries, sharing, %nocache.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { packageRoot } from '../../src/package-info.js';
import { missingClient, streamText, TestKernel, type Exchange } from '../support/jupyter.js';

const skip = missingClient();
if (skip && process.env.CI) throw new Error(`CI must run the jupyter_client tests: ${skip}`);

const hello = (word: string) => `#include <cstdio>\nint main() { printf("${word}\\n"); return 0; }\n`;

/** A directory with an `nvcc` that logs each compile to nvcc.log, then runs the real one; with
 * FAKE_NVCC_RELEASE set it reports that release to `--version`. */
async function nvccWrapper(): Promise<{ dir: string; nvcc: string; compiles(): Promise<number> }> {
  const dir = await mkdtemp(join(tmpdir(), 'icuda-cache-test-'));
  const real = execFileSync('sh', ['-c', 'command -v nvcc || echo /usr/local/cuda/bin/nvcc']).toString().trim();
  const nvcc = join(dir, 'nvcc');
  await writeFile(
    nvcc,
    `#!/bin/sh
if [ "$1" = "--version" ] && [ -n "$FAKE_NVCC_RELEASE" ]; then
  echo "Cuda compilation tools, release $FAKE_NVCC_RELEASE, V$FAKE_NVCC_RELEASE.0"; exit 0
fi
[ "$1" = "--version" ] || echo "$*" >> "${join(dir, 'nvcc.log')}"
exec "${real}" "$@"
`,
  );
  await chmod(nvcc, 0o755);
  const compiles = async () => (await readFile(join(dir, 'nvcc.log'), 'utf8').catch(() => '')).split('\n').filter(Boolean).length;
  return { dir, nvcc, compiles };
}

/** Asserts the cell succeeded and printed `text`. */
function printed(ex: Exchange, text: string): void {
  assert.equal(ex.reply.content.status, 'ok', JSON.stringify(ex.reply.content));
  assert.equal(streamText(ex, 'stdout'), text);
}

describe('compile cache through jupyter_client', { skip }, () => {
  let k: TestKernel;
  let w: Awaited<ReturnType<typeof nvccWrapper>>;
  let cacheDir: string;
  const env = () => ({ NVCC: w.nvcc, ICUDA_CACHE_DIR: cacheDir, ICUDA_GPU_ARCH: '' });

  before(async () => {
    w = await nvccWrapper();
    cacheDir = join(w.dir, 'cache');
    k = await TestKernel.start({ env: env() });
  });
  after(async () => {
    await k?.close();
    await rm(w.dir, { recursive: true, force: true });
  });

  test('a re-run hits: no nvcc, same output, and %time says so', async () => {
    printed(await k.execute(hello('first')), 'first\n');
    const n = await w.compiles();
    assert.equal(n, 1);
    printed(await k.execute(hello('first')), 'first\n');
    assert.equal(await w.compiles(), n, 'a hit spawns no nvcc');
    // A magic line is a blank line for nvcc (the cell's line numbers stay the user's): its own entry.
    const untimed = await k.execute(`%time\n${hello('first')}`);
    assert.doesNotMatch(streamText(untimed, 'stderr'), /cache hit/);
    const timed = await k.execute(`%time\n${hello('first')}`);
    assert.equal(timed.reply.content.status, 'ok');
    assert.match(streamText(timed, 'stdout'), /^first\n/);
    assert.equal(await w.compiles(), n + 1, 'only the first %time run compiled');
    assert.match(streamText(timed, 'stderr'), /^cache hit/m);
  });

  test("a hit runs in a fresh directory without the source; %keep's directory holds it", async () => {
    const lister =
      '#include <cstdio>\n#include <dirent.h>\nint main() { DIR *d = opendir("."); for (dirent *e; (e = readdir(d));) if (e->d_name[0] != \'.\') printf("%s\\n", e->d_name); return 0; }\n';
    const listing = (ex: Exchange) => streamText(ex, 'stdout').split('\n').filter(Boolean).sort();
    const first = await k.execute(lister);
    assert.deepEqual(listing(first), ['cell.cu', 'prog'], 'nvcc compiled cell.cu');
    const n = await w.compiles();
    assert.deepEqual(listing(await k.execute(lister)), ['prog'], 'a hit needs no source');
    const kept = await k.execute(`%keep\n${lister}`);
    assert.equal(await w.compiles(), n + 1, '%keep is a line of its own: its own entry');
    const again = await k.execute(`%keep\n${lister}`);
    assert.equal(await w.compiles(), n + 1, 'a hit');
    assert.deepEqual(
      listing(again).filter((name) => !name.startsWith('kept')),
      ['cell.cu', 'prog'],
      '%keep shows the source',
    );
    const dir = /^kept (.+)$/m.exec(streamText(again, 'stdout'))![1];
    assert.match(await readFile(join(dir, 'cell.cu'), 'utf8'), /opendir/);
    await rm(dir, { recursive: true, force: true });
    await rm(/^kept (.+)$/m.exec(streamText(kept, 'stdout'))![1], { recursive: true, force: true });
  });

  test('a changed source, flag or included header misses; %nocache always compiles', async () => {
    const inc = await mkdtemp(join(w.dir, 'inc-'));
    await writeFile(join(inc, 'word.h'), '#define WORD "one"\n');
    const cell = `%flags -I${inc}\n#include <cstdio>\n#include "word.h"\nint main() { printf("%s\\n", WORD); return 0; }\n`;
    let n = await w.compiles();
    const expectCompiles = async (code: string, text: string, delta: number) => {
      printed(await k.execute(code), text);
      assert.equal(await w.compiles(), n + delta, code);
      n += delta;
    };
    await expectCompiles(cell, 'one\n', 1);
    await expectCompiles(cell, 'one\n', 0);
    await writeFile(join(inc, 'word.h'), '#define WORD "two"\n');
    await expectCompiles(cell, 'two\n', 1);
    await expectCompiles(`%flags -O1\n${cell}`, 'two\n', 1);
    await expectCompiles(cell.replace('%s\\n', '[%s]\\n'), '[two]\n', 1);
    await expectCompiles(`%nocache\n${cell}`, 'two\n', 1);
    await expectCompiles(cell, 'two\n', 0);
  });

  test('a workspace header changed by the cell before, or removed by the cell itself, misses', async () => {
    // The key's view of the workspace is read while the cell is parsed: never before a %rm of its own.
    const cell = '#include <cstdio>\n#include "word.h"\nint main() { printf("%s\\n", WORD); return 0; }\n';
    let n = await w.compiles();
    assert.equal((await k.execute('%%file word.h\n#define WORD "ws1"\n')).reply.content.status, 'ok');
    printed(await k.execute(cell), 'ws1\n');
    printed(await k.execute(cell), 'ws1\n');
    assert.equal(await w.compiles(), (n += 1), 'compiled once, then a hit');
    assert.equal((await k.execute('%%file word.h\n#define WORD "ws2"\n')).reply.content.status, 'ok');
    printed(await k.execute(cell), 'ws2\n');
    assert.equal(await w.compiles(), (n += 1), 'the changed header missed');
    const removed = await k.execute(`%rm word.h\n${cell}`);
    assert.equal(removed.reply.content.status, 'error', 'the header is gone: the cell cannot compile');
    assert.match(streamText(removed, 'stdout'), /removed word\.h/);
    assert.equal(await w.compiles(), n + 1, 'nvcc ran: no entry of the old workspace was used');
  });

  test('a truncated or altered entry is rebuilt, never run', async () => {
    const code = hello('sound');
    printed(await k.execute(code), 'sound\n');
    const entries = join(cacheDir, 'entries');
    const keys = await readdir(entries);
    let n = await w.compiles();
    // Find this cell's entry: the newest manifest.
    const key = (
      await Promise.all(keys.map(async (key) => ({ key, m: JSON.parse(await readFile(join(entries, key, 'manifest.json'), 'utf8')) })))
    )
      .sort((a, b) => a.m.created.localeCompare(b.m.created))
      .at(-1)!.key;
    await truncate(join(entries, key, 'prog'), 100);
    printed(await k.execute(code), 'sound\n');
    assert.equal(await w.compiles(), ++n, 'truncated entry rebuilt');
    const bin = await readFile(join(entries, key, 'prog'));
    bin.fill(0x90, 2000, 2100);
    await writeFile(join(entries, key, 'prog'), bin);
    printed(await k.execute(code), 'sound\n');
    assert.equal(await w.compiles(), ++n, 'altered entry (same size) rebuilt');
    await writeFile(join(entries, key, 'manifest.json'), '{not json');
    printed(await k.execute(code), 'sound\n');
    assert.equal(await w.compiles(), ++n, 'entry with a corrupt manifest rebuilt');
    printed(await k.execute(code), 'sound\n');
    assert.equal(await w.compiles(), n, 'the rebuilt entry hits');
  });

  test("%cache shows the size and this session's hit rate", async () => {
    const ex = await k.execute('%cache');
    assert.equal(ex.reply.content.status, 'ok');
    const text = streamText(ex, 'stdout');
    assert.match(text, new RegExp(`compile cache: ${cacheDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.match(text, /\d+ entries, [\d.]+ (B|KiB|MiB)/);
    assert.match(text, /\d+ hits, \d+ misses \(\d+% hit rate\)/);
  });

  test('another nvcc version misses; two kernels filling the cache at once stay consistent', async () => {
    const [other, twin] = await Promise.all([
      TestKernel.start({ env: { ...env(), FAKE_NVCC_RELEASE: '99.9' } }),
      TestKernel.start({ env: env() }),
    ]);
    try {
      let n = await w.compiles();
      printed(await other.execute(hello('first')), 'first\n');
      assert.equal(await w.compiles(), ++n, 'same cell, other nvcc version: a miss');
      printed(await twin.execute(hello('first')), 'first\n');
      assert.equal(await w.compiles(), n, 'same cell, same nvcc, another kernel: a hit');
      const cells = ['a', 'b', 'c'].map((word) => hello(`shared-${word}`));
      // Both kernels compile the same new cells at the same time, in opposite orders.
      await Promise.all([
        (async () => {
          for (const c of cells) printed(await k.execute(c), /shared-\w/.exec(c)![0] + '\n');
        })(),
        (async () => {
          for (const c of [...cells].reverse()) printed(await twin.execute(c), /shared-\w/.exec(c)![0] + '\n');
        })(),
      ]);
      assert.equal(await w.compiles(), n + cells.length, 'each cell compiled once: the other kernel waited for its entry');
      n = await w.compiles();
      for (const c of cells) printed(await k.execute(c), /shared-\w/.exec(c)![0] + '\n');
      assert.equal(await w.compiles(), n, 'every cell filled concurrently now hits');
      const entries = join(cacheDir, 'entries');
      for (const key of await readdir(entries)) {
        const m = JSON.parse(await readFile(join(entries, key, 'manifest.json'), 'utf8'));
        const bin = await readFile(join(entries, key, 'prog'));
        assert.equal(bin.length, m.size, `entry ${key} is whole`);
      }
      assert.deepEqual(await readdir(join(cacheDir, 'tmp')).catch(() => []), [], 'no half-written entry is left');
    } finally {
      await Promise.all([other.close(), twin.close()]);
    }
  });

  test('an unusable cache turns itself off with one warning; cells still run', async () => {
    const notADir = join(w.dir, 'a-file');
    await writeFile(notADir, 'x');
    const broken = await TestKernel.start({ env: { ...env(), ICUDA_CACHE_DIR: notADir } });
    try {
      const first = await broken.execute(hello('still'));
      printed(first, 'still\n');
      assert.match(streamText(first, 'stderr'), /compile cache turned off/);
      const second = await broken.execute(hello('again'));
      printed(second, 'again\n');
      assert.doesNotMatch(streamText(second, 'stderr'), /compile cache/);
    } finally {
      await broken.close();
    }
  });

  test('icuda cache clear empties it', async () => {
    const cli = join(packageRoot, 'bin', 'icuda.js');
    const out = execFileSync(process.execPath, [cli, 'cache', 'clear'], { env: { ...process.env, ICUDA_CACHE_DIR: cacheDir } }).toString();
    assert.match(out, /Removed \d+ compile cache entr/);
    assert.deepEqual(await readdir(join(cacheDir, 'entries')), []);
  });
});
