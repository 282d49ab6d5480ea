// The compile cache on disk: one directory per key holding the binary and a manifest (its
// sha256 and size). Entries are built in a temp dir and renamed into place, so several
// kernels can share the cache; a corrupt or truncated entry is dropped, never run; the least
// recently used entries go when the cache outgrows its cap.
import { randomUUID } from 'node:crypto';
import { copyFile, link, mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { linkSync, rmSync, statSync, type BigIntStats } from 'node:fs';
import { join } from 'node:path';
import { hashFile } from './file-hash.js';

const BINARY = 'prog';
const MANIFEST = 'manifest.json';

export interface Manifest {
  sha256: string;
  size: number;
  /** nvcc's warnings, with `cell[@]` standing for the cell's name. */
  warnings: string;
  created: string;
}

/** Where the cache lives and how large it may grow (ICUDA_CACHE_DIR, ICUDA_CACHE_MAX_BYTES). */
export interface CacheLocation {
  dir: string;
  maxBytes: number;
}

/** What identifies one version of a file: an entry is never rewritten in place. */
const stampOf = (st: BigIntStats) => `${st.size}:${st.mtimeNs}:${st.ino}`;

/** A found entry: its binary is sound (size checked; content checked when its stat changed). */
export interface Hit {
  binary: string;
  manifest: Manifest;
}

export class CompileCache {
  readonly #entries: string;
  readonly #tmp: string;
  /** Entries whose content was verified in this process: the binary's stat then, and the manifest. */
  readonly #verified = new Map<string, { stamp: string; manifest: Manifest }>();

  constructor(readonly location: CacheLocation) {
    this.#entries = join(location.dir, 'entries');
    this.#tmp = join(location.dir, 'tmp');
  }

  /** An entry this process verified, linked at `dest` now, or undefined (nothing placed: lookup
   * decides). Synchronous, on purpose: two metadata calls (link, then stat of what was linked, the
   * very file that will run) on a cache this kernel used a moment ago cost microseconds, while
   * each round through the thread pool costs a cached cell a few hundred. */
  placeKnown(key: string, dest: string): Hit | undefined {
    const known = this.#verified.get(key);
    if (!known) return undefined;
    const binary = join(this.#entries, key, BINARY);
    try {
      linkSync(binary, dest);
    } catch {
      return undefined; // gone, or another file system (lookup copies)
    }
    try {
      if (stampOf(statSync(dest, { bigint: true })) === known.stamp) {
        void touch(join(this.#entries, key, MANIFEST));
        return { binary, manifest: known.manifest };
      }
    } catch {
      // checked again by lookup
    }
    this.#verified.delete(key);
    rmSync(dest, { force: true });
    return undefined;
  }

  /** The sound entry for `key`, or undefined; a corrupt one is removed. */
  async lookup(key: string): Promise<Hit | undefined> {
    const dir = join(this.#entries, key);
    const binary = join(dir, BINARY);
    // Marked used (for eviction) while it is checked; a hit already verified here needs only
    // its binary's stat to be the same file: an entry is never rewritten in place.
    const touched = touch(join(dir, MANIFEST));
    const known = this.#verified.get(key);
    if (known) {
      const st = await stat(binary, { bigint: true }).catch(() => undefined);
      await touched;
      if (st && stampOf(st) === known.stamp) return { binary, manifest: known.manifest };
      this.#verified.delete(key);
    }
    const manifest = await readManifest(join(dir, MANIFEST));
    if (manifest === 'corrupt') return this.#drop(key);
    if (!manifest) return undefined;
    const st = await stat(binary, { bigint: true }).catch(() => undefined);
    if (!st || Number(st.size) !== manifest.size) return this.#drop(key);
    if ((await hashFile(binary).catch(() => '')) !== manifest.sha256) return this.#drop(key);
    this.#verified.set(key, { stamp: stampOf(st), manifest });
    await touched;
    return { binary, manifest };
  }

  /** Puts the binary of `key`'s entry at `dest`: a hard link, else a copy. It may be placed
   * while the entry is looked up (the two are independent file system calls), but it may be run
   * only once lookup has found the entry sound. */
  async materialize(key: string, dest: string): Promise<void> {
    const binary = join(this.#entries, key, BINARY);
    await link(binary, dest).catch(() => copyFile(binary, dest));
  }

  /** Stores a freshly built binary under `key`; throws when the cache cannot be written. */
  async store(key: string, binary: string, warnings: string): Promise<void> {
    const tmp = join(this.#tmp, randomUUID());
    await mkdir(tmp, { recursive: true });
    try {
      await copyFile(binary, join(tmp, BINARY));
      const [sha256, st] = await Promise.all([hashFile(join(tmp, BINARY)), stat(join(tmp, BINARY))]);
      const manifest: Manifest = { sha256, size: st.size, warnings, created: new Date().toISOString() };
      await writeFile(join(tmp, MANIFEST), JSON.stringify(manifest));
      await mkdir(this.#entries, { recursive: true });
      // Another kernel may have stored the same key first: its entry is as good as ours.
      await rename(tmp, join(this.#entries, key)).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
      });
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }

  /** Every entry with its size and last use, oldest first. */
  async list(): Promise<{ key: string; bytes: number; usedMs: number }[]> {
    const keys = await readdir(this.#entries).catch(() => [] as string[]);
    const rows = await Promise.all(
      keys.map(async (key) => {
        const [bin, man] = await Promise.all([
          stat(join(this.#entries, key, BINARY)).catch(() => undefined),
          stat(join(this.#entries, key, MANIFEST)).catch(() => undefined),
        ]);
        return { key, bytes: (bin?.size ?? 0) + (man?.size ?? 0), usedMs: man?.mtimeMs ?? 0 };
      }),
    );
    return rows.sort((a, b) => a.usedMs - b.usedMs);
  }

  /** Removes least recently used entries until the cache fits its cap; answers how many went. */
  async evict(): Promise<number> {
    const rows = await this.list();
    let total = rows.reduce((sum, row) => sum + row.bytes, 0);
    let removed = 0;
    for (const row of rows) {
      if (total <= this.location.maxBytes) break;
      await this.#drop(row.key);
      total -= row.bytes;
      removed += 1;
    }
    return removed;
  }

  /** Removes every entry. */
  async clear(): Promise<number> {
    const rows = await this.list();
    await Promise.all(rows.map((row) => this.#drop(row.key)));
    await rm(this.#tmp, { recursive: true, force: true });
    return rows.length;
  }

  /** Removes one entry (renamed aside first, so no reader sees half of it). */
  async #drop(key: string): Promise<undefined> {
    this.#verified.delete(key);
    const aside = join(this.#tmp, `drop-${randomUUID()}`);
    await mkdir(this.#tmp, { recursive: true }).catch(() => undefined);
    const moved = await rename(join(this.#entries, key), aside).then(
      () => true,
      () => false,
    );
    await rm(moved ? aside : join(this.#entries, key), { recursive: true, force: true }).catch(() => undefined);
    return undefined;
  }
}

/** A manifest read back; undefined when absent, 'corrupt' when it is not one. */
async function readManifest(path: string): Promise<Manifest | 'corrupt' | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as Partial<Manifest>;
    if (typeof parsed.sha256 !== 'string' || typeof parsed.size !== 'number') return 'corrupt';
    return { warnings: '', created: '', ...parsed } as Manifest;
  } catch {
    return 'corrupt';
  }
}

/** Marks a manifest used now (eviction goes by its mtime); a missing one is no error. */
async function touch(path: string): Promise<void> {
  const now = new Date();
  await utimes(path, now, now).catch(() => undefined);
}
