// The compile cache's store and key, on a real file system: no nvcc needed.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cacheKey, pathsInArgs, type KeyInputs } from '../../../src/engine/compile/cache/cache-key.js';
import { CompileCache } from '../../../src/engine/compile/cache/compile-cache.js';
import { loadSettings } from '../../../src/settings/settings.js';
import { FileHashMemo } from '../../../src/engine/compile/cache/file-hash.js';
import { tryLock, waitUnlocked } from '../../../src/engine/compile/cache/fill-lock.js';
import { parseSize } from '../../../src/kernel/magics/magics.js';

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'icuda-cc-unit-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A file of `size` bytes with some content. */
async function binary(name: string, size: number, fill = 7): Promise<string> {
  const path = join(root, name);
  await writeFile(path, Buffer.alloc(size, fill));
  return path;
}

describe('cacheLocation', () => {
  test('ICUDA_CACHE_DIR, else XDG_CACHE_HOME/icuda, else ~/.cache/icuda; the cap from ICUDA_CACHE_MAX_BYTES', () => {
    assert.equal(loadSettings({ ICUDA_CACHE_DIR: '/c', XDG_CACHE_HOME: '/x' }).cacheDir, '/c');
    assert.equal(loadSettings({ XDG_CACHE_HOME: '/x' }).cacheDir, '/x/icuda');
    assert.match(loadSettings({}).cacheDir, /\.cache\/icuda$/);
    assert.equal(loadSettings({}).cacheMaxBytes, 2 * 1024 ** 3);
    assert.equal(loadSettings({ ICUDA_CACHE_MAX_BYTES: '1000' }).cacheMaxBytes, 1000);
    assert.equal(loadSettings({ ICUDA_CACHE_MAX_BYTES: 'lots' }).cacheMaxBytes, 2 * 1024 ** 3);
  });
});

describe('CompileCache', () => {
  test('stores, finds, and links the binary into a run dir', async () => {
    const cache = new CompileCache({ dir: join(root, 'c1'), maxBytes: 2 * 1024 ** 3 });
    assert.equal(await cache.lookup('k1'), undefined);
    await cache.store('k1', await binary('b1', 5000), 'cell[@](3): warning');
    const hit = await cache.lookup('k1');
    assert.ok(hit);
    assert.equal(hit.manifest.size, 5000);
    assert.equal(hit.manifest.warnings, 'cell[@](3): warning');
    await cache.materialize('k1', join(root, 'placed'));
    assert.equal((await readFile(join(root, 'placed'))).length, 5000);
  });

  test('a truncated binary, an altered one, or a broken manifest is dropped', async () => {
    const cache = new CompileCache({ dir: join(root, 'c2'), maxBytes: 2 * 1024 ** 3 });
    const entry = join(root, 'c2', 'entries', 'k');
    await cache.store('k', await binary('b2', 4000), '');
    assert.ok(await cache.lookup('k'));
    await writeFile(join(entry, 'prog'), Buffer.alloc(10));
    assert.equal(await cache.lookup('k'), undefined, 'truncated');
    await assert.rejects(stat(entry), 'the entry is gone');
    await cache.store('k', await binary('b2', 4000), '');
    assert.ok(await cache.lookup('k'));
    await writeFile(join(entry, 'prog'), Buffer.alloc(4000, 9));
    assert.equal(await cache.lookup('k'), undefined, 'same size, other bytes');
    await cache.store('k', await binary('b2', 4000), '');
    await writeFile(join(entry, 'manifest.json'), '{');
    assert.equal(await cache.lookup('k'), undefined, 'broken manifest');
    await cache.store('k', await binary('b2', 4000), '');
    assert.ok(await cache.lookup('k'), 'stored again after the drop');
  });

  test('an entry verified before is placed at once, unless it changed since: then nothing is placed', async () => {
    const cache = new CompileCache({ dir: join(root, 'c5'), maxBytes: 2 * 1024 ** 3 });
    const entry = join(root, 'c5', 'entries', 'k');
    await cache.store('k', await binary('b5', 3000), 'w');
    const dest = (name: string) => join(root, `placed-${name}`);
    assert.equal(cache.placeKnown('k', dest('a')), undefined, 'not verified by this process yet');
    await assert.rejects(stat(dest('a')));
    assert.ok(await cache.lookup('k'));
    assert.equal(cache.placeKnown('k', dest('b'))?.manifest.warnings, 'w');
    assert.equal((await readFile(dest('b'))).length, 3000);
    await writeFile(join(entry, 'prog'), Buffer.alloc(10)); // altered in place: same inode, other size
    assert.equal(cache.placeKnown('k', dest('c')), undefined, 'changed since it was verified');
    await assert.rejects(stat(dest('c')), 'nothing left at dest');
    assert.equal(await cache.lookup('k'), undefined, 'lookup reads it again and drops it');
    assert.equal(cache.placeKnown('missing', dest('d')), undefined);
  });

  test('storing a key twice (two kernels racing) keeps one whole entry', async () => {
    const cache = new CompileCache({ dir: join(root, 'c3'), maxBytes: 2 * 1024 ** 3 });
    const other = new CompileCache({ dir: join(root, 'c3'), maxBytes: 2 * 1024 ** 3 });
    const b = await binary('b3', 300_000);
    await Promise.all([...Array(6)].map((_, i) => (i % 2 ? cache : other).store('same', b, '')));
    assert.ok(await cache.lookup('same'));
    assert.deepEqual(await readdir(join(root, 'c3', 'entries')), ['same']);
    assert.deepEqual(await readdir(join(root, 'c3', 'tmp')), []);
  });

  test('eviction removes the least recently used entries until the cache fits its cap', async () => {
    const cache = new CompileCache({ dir: join(root, 'c4'), maxBytes: 25_000 });
    for (const [i, key] of ['old', 'mid', 'new'].entries()) {
      await cache.store(key, await binary(`b4${key}`, 10_000), '');
      const t = new Date(Date.now() - (10 - i) * 60_000);
      await utimes(join(root, 'c4', 'entries', key, 'manifest.json'), t, t);
    }
    assert.ok(await cache.lookup('old'), 'a hit makes "old" the most recently used');
    assert.equal(await cache.evict(), 1);
    const left = (await cache.list()).map((row) => row.key).sort();
    assert.deepEqual(left, ['new', 'old']);
    assert.ok((await cache.list()).reduce((sum, row) => sum + row.bytes, 0) <= 25_000);
    assert.equal(await cache.clear(), 2);
    assert.deepEqual(await cache.list(), []);
  });
});

describe('fill lock', () => {
  test("one holder at a time; others wait for its release; a dead holder's lock is taken", async () => {
    const dir = join(root, 'locks-test');
    const held = await tryLock(dir, 'k');
    assert.ok(held);
    assert.equal(await tryLock(dir, 'k'), undefined, 'held by a live process (this one)');
    let waited = false;
    const waiting = waitUnlocked(dir, 'k', new AbortController().signal).then(() => {
      waited = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 250));
    assert.equal(waited, false);
    await held.release();
    await waiting;
    await writeFile(join(dir, 'locks', 'k'), '999999999');
    const taken = await tryLock(dir, 'k');
    assert.ok(taken, 'a lock naming a dead pid is stale');
    await taken.release();
  });
});

describe('cacheKey', () => {
  const inputs = (over: Partial<KeyInputs> = {}): KeyInputs => ({
    nvcc: process.execPath,
    nvccVersion: '13.0',
    args: ['-o', 'prog', 'cell.cu', '-arch=native'],
    source: 'int main() {}',
    gpu: '',
    dirs: [],
    ...over,
  });

  test('changes with the source, the flags, the nvcc version, the GPU and any workspace file', async () => {
    const memo = new FileHashMemo();
    const ws = await mkdtemp(join(root, 'ws-'));
    await writeFile(join(ws, 'a.h'), '#define A 1\n');
    const base = await cacheKey(inputs({ dirs: [ws] }), memo);
    assert.equal(await cacheKey(inputs({ dirs: [ws] }), memo), base, 'stable');
    const variants = [
      inputs({ dirs: [ws], source: 'int main() { }' }),
      inputs({ dirs: [ws], args: ['-o', 'prog', 'cell.cu', '-arch=native', '-O3'] }),
      inputs({ dirs: [ws], nvccVersion: '12.9' }),
      inputs({ dirs: [ws], gpu: 'sm_90' }),
      inputs({ dirs: [] }),
    ];
    for (const v of variants) assert.notEqual(await cacheKey(v, memo), base, JSON.stringify(v));
    await writeFile(join(ws, 'a.h'), '#define A 2\n');
    assert.notEqual(await cacheKey(inputs({ dirs: [ws] }), memo), base, 'edited header');
    await writeFile(join(ws, 'b.h'), '');
    const withB = await cacheKey(inputs({ dirs: [ws] }), memo);
    await writeFile(join(ws, 'b.h'), 'x');
    assert.notEqual(await cacheKey(inputs({ dirs: [ws] }), memo), withB, 'new file in the workspace');
  });

  test('the session workspace is keyed by its files, not its path', async () => {
    const memo = new FileHashMemo();
    const [a, b] = [await mkdtemp(join(root, 'wsa-')), await mkdtemp(join(root, 'wsb-'))];
    for (const dir of [a, b]) await writeFile(join(dir, 'k.cuh'), '// same\n');
    const key = (dir: string) => cacheKey(inputs({ dirs: [dir], args: ['-o', 'prog', 'cell.cu', '-I', dir] }), memo);
    assert.equal(await key(a), await key(b));
    await writeFile(join(b, 'k.cuh'), '// other\n');
    assert.notEqual(await key(a), await key(b));
  });

  test('-I and -L directories and absolute file paths in the arguments are keyed too', () => {
    assert.deepEqual(pathsInArgs(['-I/a', '-I', '/b', '-Irel', '-L/c', '--include-path=/d', '/e/x.o', 'y.o']), {
      dirs: ['/a', '/b', '/c', '/d'],
      files: ['/e/x.o'],
    });
  });

  test('an unchanged large file is read once; a touched one again', async () => {
    const memo = new FileHashMemo();
    const big = await binary('big', 8 * 1024 * 1024);
    const first = await memo.hash(big);
    for (let i = 0; i < 5; i++) assert.equal(await memo.hash(big), first);
    assert.equal(memo.reads, 1);
    const t = new Date(Date.now() + 5000);
    await utimes(big, t, t);
    assert.equal(await memo.hash(big), first);
    assert.equal(memo.reads, 2);
  });
});

describe('parseSize (%output_limit)', () => {
  test('bytes, K, M, G and 0; anything else is an error', () => {
    assert.equal(parseSize(['0']), 0);
    assert.equal(parseSize(['1000']), 1000);
    assert.equal(parseSize(['512K']), 512 * 1024);
    assert.equal(parseSize(['10M']), 10 * 1024 * 1024);
    assert.equal(parseSize(['1.5MB']), 1.5 * 1024 * 1024);
    assert.equal(parseSize(['2G']), 2 * 1024 ** 3);
    assert.throws(() => parseSize(['lots']), /expected one size/);
    assert.throws(() => parseSize([]), /expected one size/);
  });
});
