// The compile cache's key: a sha256 over everything that changes the binary nvcc makes.
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import { packageRoot, packageVersion } from '../../../package-info.js';
import type { FileHashMemo } from './file-hash.js';

/** Bump when the key's recipe or the entry layout changes. */
export const KEY_VERSION = 1;

export interface KeyInputs {
  nvcc: string;
  /** `nvcc --version`'s release ("13.0"). */
  nvccVersion: string;
  /** nvcc's full argument list, as compileCell passes it (flags, arch, prelude). */
  args: string[];
  /** The cell's source without its `#line` directive. */
  source: string;
  /** The GPU the binary is built for when the arch is native ('' when unknown). */
  gpu: string;
  /** Directories whose every file the cell may include or link (the session workspace). */
  dirs: string[];
}

const DIR_FLAGS = ['-I', '-L', '-isystem', '--include-path', '--library-path', '-odir'];

/** Absolute directories and files an nvcc command line names: -I/-L dirs and plain paths. */
export function pathsInArgs(args: string[]): { dirs: string[]; files: string[] } {
  const dirs: string[] = [];
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const flag = DIR_FLAGS.find((f) => arg === f || arg.startsWith(f));
    if (flag) {
      const value = arg === flag ? (args[++i] ?? '') : arg.slice(flag.length).replace(/^=/, '');
      if (isAbsolute(value)) dirs.push(value);
    } else if (isAbsolute(arg)) files.push(arg);
  }
  return { dirs, files };
}

/** What a key reads of the file system that no cell changes: nvcc's stat and the files of the
 * session directories, read ahead (while the cell is parsed) for the compile that follows. */
export interface KeyFiles {
  nvcc: string;
  nvccStat: Promise<string>;
  trees: Map<string, Promise<string[]>>;
}

/** Starts reading what cacheKey will read for `nvcc` and `dirs`. */
export function readKeyFiles(nvcc: string, dirs: string[], memo: FileHashMemo): KeyFiles {
  const files: KeyFiles = { nvcc, nvccStat: statStamp(nvcc), trees: new Map(dirs.map((dir) => [dir, memo.hashTree(dir)])) };
  for (const read of [files.nvccStat, ...files.trees.values()]) read.catch(() => undefined); // awaited by the key, if any
  return files;
}

/** nvcc's size, mtime and inode, or 'missing'. */
function statStamp(path: string): Promise<string> {
  return stat(path, { bigint: true }).then(
    (s) => `${s.size}:${s.mtimeNs}:${s.ino}`,
    () => 'missing',
  );
}

/** The key of one compile; throws TreeTooLarge when a named directory is too big to key on.
 * The session directories are named by position, not path (their files are hashed whole), so
 * kernels with workspaces in different places share entries. `ahead` is what was read for this
 * cell already (the part for another nvcc or directory is read now). */
export async function cacheKey(inputs: KeyInputs, memo: FileHashMemo, ahead?: KeyFiles): Promise<string> {
  // icuda's own headers (the prelude, and its -I) are hashed once per kernel, not per cell.
  const own = join(packageRoot, 'include');
  const named = pathsInArgs(inputs.args);
  const dirs = [...new Set([...inputs.dirs, ...named.dirs])].filter((dir) => dir !== own);
  const anon = (text: string) => inputs.dirs.reduce((acc, dir, i) => acc.split(dir).join(`<dir${i}>`), text);
  const read = ahead?.nvcc === inputs.nvcc ? ahead : undefined;
  const [nvccStat, ownHeaders, trees, files] = await Promise.all([
    read?.nvccStat ?? statStamp(inputs.nvcc),
    memo.hashFixedTree(own),
    Promise.all(dirs.map(async (dir) => ({ dir: anon(dir), files: await (read?.trees.get(dir) ?? memo.hashTree(dir)) }))),
    Promise.all(
      named.files
        .filter((file) => dirname(file) !== own)
        .map(async (file) => ({ file: anon(file), hash: await memo.hash(file).catch(() => 'missing') })),
    ),
  ]);
  const recipe = {
    v: KEY_VERSION,
    icuda: packageVersion,
    nvcc: inputs.nvcc,
    nvccStat,
    nvccVersion: inputs.nvccVersion,
    args: inputs.args.map(anon),
    gpu: inputs.gpu,
    source: inputs.source,
    ownHeaders,
    trees,
    files,
  };
  return createHash('sha256').update(JSON.stringify(recipe)).digest('hex');
}
