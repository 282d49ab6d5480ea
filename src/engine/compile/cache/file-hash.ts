// Content hashes of files, remembered by their stat data (path, size, mtime, inode): a file
// whose stat did not change is never read again, however large it is.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** The most files one directory tree may hold before it is judged too big to key on. */
export const MAX_TREE_FILES = 5000;

/** Files no compile reads: profiler reports %profile keeps in the workspace. */
const NOT_INPUTS = /\.(ncu-rep|nsys-rep|qdrep|qdstrm|sqlite)$/;

/** Thrown when a tree holds more than MAX_TREE_FILES files. */
export class TreeTooLarge extends Error {
  override name = 'TreeTooLarge';
}

/** sha256 of a file's bytes, streamed. */
export async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** A memo of file hashes keyed by stat data; one per kernel. */
export class FileHashMemo {
  readonly #memo = new Map<string, { stamp: string; hash: Promise<string> }>();
  readonly #fixed = new Map<string, Promise<string[]>>();
  /** How many files were actually read (for tests). */
  reads = 0;

  /** The file's hash, read only when its stat data changed since the last call. */
  async hash(path: string): Promise<string> {
    const st = await stat(path, { bigint: true });
    const stamp = `${st.size}:${st.mtimeNs}:${st.ino}:${st.dev}`;
    const known = this.#memo.get(path);
    if (known && known.stamp === stamp) return known.hash;
    this.reads += 1;
    const hash = hashFile(path);
    this.#memo.set(path, { stamp, hash });
    hash.catch(() => this.#memo.delete(path));
    return hash;
  }

  /** hashTree of a directory that does not change while this memo lives (icuda's own headers,
   * which change only with a reinstall, that a running kernel would not see either): read once. */
  async hashFixedTree(dir: string): Promise<string[]> {
    let tree = this.#fixed.get(dir);
    if (!tree) {
      tree = this.hashTree(dir);
      this.#fixed.set(dir, tree);
      tree.catch(() => this.#fixed.delete(dir));
    }
    return tree;
  }

  /** "relative path: hash" for every regular file below `dir`, sorted; [] when it does not exist. */
  async hashTree(dir: string): Promise<string[]> {
    const files = await listFiles(dir);
    const lines = await Promise.all(files.map(async (rel) => `${rel}:${await this.hash(join(dir, rel)).catch(() => 'unreadable')}`));
    return lines.sort();
  }
}

/** Regular files below `dir` (relative paths), following no symlinked directories. */
async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    const entries = await readdir(join(dir, rel), { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const path = rel ? join(rel, entry.name) : entry.name;
      if (entry.isDirectory()) await walk(path);
      else if ((entry.isFile() || entry.isSymbolicLink()) && !NOT_INPUTS.test(entry.name)) out.push(path);
      if (out.length > MAX_TREE_FILES) throw new TreeTooLarge(`${dir} holds more than ${MAX_TREE_FILES} files`);
    }
  };
  await walk('');
  return out;
}
