// compileCell behind the compile cache: a hit puts the stored binary in the run dir and spawns
// no nvcc; a miss compiles and stores. A cache that cannot be used turns itself off with one
// warning and every cell still compiles.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { formatBytes } from '../../../units.js';
import type { OutputSink } from '../../outcome.js';
import { compileCell, nvccArgs, type CompileOptions, type CompileResult } from '../compiler.js';
import { cacheKey, readKeyFiles, type KeyFiles, type KeyInputs } from './cache-key.js';
import { CompileCache, type CacheLocation, type Hit } from './compile-cache.js';
import { FileHashMemo, TreeTooLarge } from './file-hash.js';
import { tryLock, waitUnlocked } from './fill-lock.js';

/** One kernel's view of the cache: the store, its hash memo and this session's counts. */
export interface CacheSession {
  cache: CompileCache;
  memo: FileHashMemo;
  hits: number;
  misses: number;
  /** Why caching is off for the rest of the session, once it is. */
  disabled?: string;
  log: Logger;
}

/** The session for a kernel whose cache is at `location`. */
export function openCacheSession(location: CacheLocation, log: Logger): CacheSession {
  return { cache: new CompileCache(location), memo: new FileHashMemo(), hits: 0, misses: 0, log };
}

export interface CachedCompileOptions extends CompileOptions {
  /** The cell's source without the #line directive. */
  source: string;
  nvccVersion: string;
  /** Session directories a cell may include from or link against. */
  dirs: string[];
  /** %nocache: compile, neither look up nor store. */
  skip: boolean;
  /** Resolves once the run dir exists, where a hit is placed (the cache is looked up meanwhile). */
  made?: Promise<void>;
  /** The key's file system inputs, read ahead for this cell (cache-key.ts). */
  keyFiles?: Promise<KeyFiles | undefined>;
  /** %time is on: a hit says so. */
  announceHit: boolean;
  output: OutputSink;
}

const CELL = /cell\[\d+\]/g;

/** Starts reading a key's file system inputs for a compile with `nvcc` and session `dirs`. */
export function readAhead(session: CacheSession, nvcc: string, dirs: string[]): KeyFiles | undefined {
  return session.disabled ? undefined : readKeyFiles(nvcc, dirs, session.memo);
}

/** Compiles through the cache. */
export async function compileCached(session: CacheSession, options: CachedCompileOptions): Promise<CompileResult> {
  if (options.skip || session.disabled || options.extra?.output) return compileCell(options);
  const key = await keyFor(session, options);
  if (!key) return compileCell(options);
  const found = await fromCache(session, options, key);
  if (found) return found;
  // Another kernel compiling this very key: wait for its entry rather than run nvcc as well.
  let lock = await guard(session, options.output, () => tryLock(session.cache.location.dir, key));
  if (!lock && !session.disabled) {
    await waitUnlocked(session.cache.location.dir, key, options.signal);
    const filled = await fromCache(session, options, key);
    if (filled) return filled;
    lock = await tryLock(session.cache.location.dir, key).catch(() => undefined);
  }
  try {
    return await compileAndStore(session, options, key);
  } finally {
    await lock?.release().catch(() => undefined);
  }
}

/** A hit placed in the run dir as `prog`, or undefined (and nothing placed). An entry this
 * kernel verified before is placed at once; another is placed while it is checked, one round of
 * file system calls instead of two, and a miss or an unsound entry takes it away again. */
async function fromCache(session: CacheSession, options: CachedCompileOptions, key: string): Promise<CompileResult | undefined> {
  const binary = join(options.dir, 'prog');
  await options.made;
  const known = session.disabled ? undefined : session.cache.placeKnown(key, binary);
  if (known) return hitResult(session, options, key, binary, known);
  const [hit, placed] = await Promise.all([
    guard(session, options.output, () => session.cache.lookup(key)),
    session.cache.materialize(key, binary).then(
      () => true,
      () => false,
    ),
  ]);
  if (!hit && placed) await rm(binary, { force: true });
  if (!hit || !placed) return undefined;
  return hitResult(session, options, key, binary, hit);
}

/** A hit counted, announced under %time, and its warnings named for this cell. */
function hitResult(session: CacheSession, options: CachedCompileOptions, key: string, binary: string, hit: Hit): CompileResult {
  session.hits += 1;
  if (options.announceHit) options.output.stream('stderr', `cache hit: no nvcc (${key.slice(0, 12)})\n`);
  return { status: 'ok', binary, warnings: hit.manifest.warnings.replaceAll('cell[@]', `cell[${options.executionCount}]`) };
}

/** A miss: nvcc, then the binary stored and the cache trimmed to its cap. */
async function compileAndStore(session: CacheSession, options: CachedCompileOptions, key: string): Promise<CompileResult> {
  session.misses += 1;
  const result = await compileCell(options);
  if (result.status === 'ok' && !options.signal.aborted && !session.disabled) {
    await guard(session, options.output, async () => {
      await session.cache.store(key, result.binary, result.warnings.replace(CELL, 'cell[@]'));
      await session.cache.evict();
    });
  }
  return result;
}

/** The key for this compile, or undefined when the cell cannot be keyed (a huge include dir). */
async function keyFor(session: CacheSession, options: CachedCompileOptions): Promise<string | undefined> {
  const inputs: KeyInputs = {
    nvcc: options.nvcc,
    nvccVersion: options.nvccVersion,
    args: nvccArgs(options.flags, options.arch, options.extra),
    source: options.source,
    gpu: options.arch ?? '',
    dirs: options.dirs,
  };
  try {
    return await cacheKey(inputs, session.memo, await options.keyFiles?.catch(() => undefined));
  } catch (error) {
    if (error instanceof TreeTooLarge) session.log.info({ reason: error.message }, 'cell not cached');
    else session.log.warn({ err: error }, 'cache key failed; cell not cached');
    return undefined;
  }
}

/** Runs a cache operation; a failure turns caching off for the session with one warning. */
async function guard<T>(session: CacheSession, output: OutputSink, op: () => Promise<T>): Promise<T | undefined> {
  try {
    return await op();
  } catch (error) {
    const reason = (error as Error).message;
    session.disabled = reason;
    session.log.warn({ err: error, dir: session.cache.location.dir }, 'compile cache turned off');
    output.stream('stderr', `icuda: compile cache turned off for this session (${reason}); cells still compile\n`);
    return undefined;
  }
}

/** What %cache prints: where, how big, and this session's hit rate. */
export async function describeCache(session: CacheSession): Promise<string> {
  const rows = await session.cache.list();
  const bytes = rows.reduce((sum, row) => sum + row.bytes, 0);
  const total = session.hits + session.misses;
  const rate =
    total === 0
      ? 'no lookups yet'
      : `${session.hits} hits, ${session.misses} misses (${Math.round((100 * session.hits) / total)}% hit rate)`;
  const lines = [
    `compile cache: ${session.cache.location.dir}`,
    `  ${rows.length} entries, ${formatBytes(bytes)} of ${formatBytes(session.cache.location.maxBytes)}`,
    `  this session: ${rate}`,
  ];
  if (session.disabled) lines.push(`  turned off: ${session.disabled}`);
  return lines.join('\n') + '\n';
}
