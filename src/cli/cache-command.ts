// `icuda cache clear|info`: empty the compile cache, or say where it is and how big.
import { cacheLocation, CompileCache } from '../engine/compile/cache/compile-cache.js';
import { formatBytes } from '../engine/compile/cache/cached-compile.js';

/** Runs a cache subcommand; returns the exit code. */
export async function run(args: string[]): Promise<number> {
  const cache = new CompileCache(cacheLocation(process.env));
  const [sub, ...rest] = args;
  if (rest.length > 0 || (sub !== 'clear' && sub !== 'info')) {
    throw new Error(`usage: icuda cache clear | icuda cache info (got ${JSON.stringify(args.join(' '))})`);
  }
  if (sub === 'clear') {
    const removed = await cache.clear();
    process.stdout.write(`Removed ${removed} compile cache entr${removed === 1 ? 'y' : 'ies'} from ${cache.location.dir}\n`);
    return 0;
  }
  const rows = await cache.list();
  const bytes = rows.reduce((sum, row) => sum + row.bytes, 0);
  process.stdout.write(`${cache.location.dir}: ${rows.length} entries, ${formatBytes(bytes)} of ${formatBytes(cache.location.maxBytes)}\n`);
  return 0;
}
