// `icuda cache clear|info`: empty the compile cache, or say where it is and how big.
import { CompileCache } from '../engine/compile/cache/compile-cache.js';
import type { Settings } from '../settings/settings.js';
import { formatBytes } from '../units.js';

/** Runs a cache subcommand; returns the exit code. */
export async function run(sub: 'clear' | 'info', settings: Settings): Promise<number> {
  const cache = new CompileCache({ dir: settings.cacheDir, maxBytes: settings.cacheMaxBytes });
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
