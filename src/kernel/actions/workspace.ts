// The session workspace: a directory beside the kernel's runs (`<kernel dir>/workspace/`), living
// as long as the kernel, holding the files %%file saves; on every compile's include path.
import { appendFile, lstat, mkdir, readdir, realpath, rm, writeFile } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';

const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.+-]*\.(cu|cuh|h|hpp)$/;

/** A plain file name with a .cu, .cuh, .h or .hpp extension, else a clear Error. */
export function checkFileName(name: string): string {
  if (name.includes('/') || name.includes('\\') || name.includes('..') || !NAME.test(name)) {
    throw new Error(`${JSON.stringify(name)} is not a plain file name ending in .cu, .cuh, .h or .hpp (no paths, no "..")`);
  }
  return name;
}

export interface WorkspaceFile {
  name: string;
  size: number;
  link: boolean;
}

export interface Workspace {
  /** The directory, made on first use. */
  dir(): Promise<string>;
  /** Writes (or appends) `body` as NAME; answers the bytes written. */
  save(name: string, body: string, append: boolean): Promise<number>;
  list(): Promise<WorkspaceFile[]>;
  /** Removes NAME; false when there was none. */
  remove(name: string): Promise<boolean>;
  /** The path of a file to read: it must exist and, if a link, point inside the workspace. */
  resolve(name: string): Promise<string>;
}

/** A workspace placed beside the run directories: `newRunDir` makes one (`<kernel>/runs/<id>`),
 * `dropRunDir` removes it; the workspace is `<kernel>/workspace`. */
export function createWorkspace(newRunDir: () => Promise<string>, dropRunDir: (dir: string) => Promise<void>): Workspace {
  let made: Promise<string> | undefined;
  const dir = () =>
    (made ??= (async () => {
      const run = await newRunDir();
      await dropRunDir(run);
      const ws = join(dirname(dirname(run)), 'workspace');
      await mkdir(ws, { recursive: true });
      return ws;
    })().catch((error: unknown) => {
      made = undefined;
      throw error;
    }));
  const path = async (name: string) => join(await dir(), checkFileName(name));
  return {
    dir,
    async save(name, body, append) {
      const text = body.endsWith('\n') || body === '' ? body : body + '\n';
      await (append ? appendFile : writeFile)(await path(name), text);
      return Buffer.byteLength(text);
    },
    async list() {
      const root = await dir();
      const files: WorkspaceFile[] = [];
      for (const name of (await readdir(root)).sort()) {
        const info = await lstat(join(root, name));
        files.push({ name, size: info.size, link: info.isSymbolicLink() });
      }
      return files;
    },
    async remove(name) {
      const file = await path(name);
      const there = await lstat(file).then(
        () => true,
        () => false,
      );
      await rm(file, { force: true });
      return there;
    },
    async resolve(name) {
      const root = await realpath(await dir());
      const file = await path(name);
      const real = await realpath(file).catch(() => {
        throw new Error(`${name} is not in the workspace (%workspace lists it)`);
      });
      if (!real.startsWith(root + sep)) throw new Error(`${name} is a link pointing outside the workspace; refused`);
      return real;
    },
  };
}

/** One line per file with its size, for %workspace. */
export function formatListing(files: WorkspaceFile[]): string {
  if (files.length === 0) return 'workspace is empty (save files with %%file NAME)\n';
  const width = Math.max(...files.map((f) => f.name.length));
  return files.map((f) => `${f.name.padEnd(width)}  ${f.size} bytes${f.link ? ' (link)' : ''}`).join('\n') + '\n';
}
