// The executed cells, for history_request: kept in <data dir>/icuda/history.jsonl (one JSON
// object per line, appended), the last MAX_ENTRIES kept, a new session number per kernel start.
// Nothing waits on the file but history replies: loading and appends run in the background, and
// cells are appended in batches a moment later (WRITE_DELAY_MS), never on a cell's own path; a
// history reply and the kernel's shutdown write what waits first.
import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import type { HistoryEntry, HistoryQuery } from '../protocol/interpreter.js';

export const MAX_ENTRIES = 10000;
/** How long a recorded cell may wait to be appended with the cells after it. */
const WRITE_DELAY_MS = 200;

/** One stored cell: session, execution count, source. */
interface Stored {
  session: number;
  line: number;
  source: string;
}

export interface History {
  /** Appends a cell in the background. */
  record(line: number, source: string): void;
  query(query: HistoryQuery): Promise<HistoryEntry[]>;
  /** Resolves once every append so far is on disk. */
  flush(): Promise<void>;
}

/** Opens the history at `file` (memory only when undefined); loading starts at once. */
export function openHistory(file: string | undefined, log: Logger): History {
  const entries: Stored[] = [];
  let session = 1;
  const loaded = (file ? load(file, log) : Promise.resolve([])).then((old) => {
    entries.unshift(...old);
    session = old.reduce((max, e) => Math.max(max, e.session), 0) + 1;
  });
  let writes: Promise<void> = loaded;
  let waiting: { line: number; source: string }[] = [];
  let timer: NodeJS.Timeout | undefined;
  /** Appends the cells that wait, after the load and every earlier append. */
  const drain = (): Promise<void> => {
    clearTimeout(timer);
    timer = undefined;
    const batch = waiting;
    waiting = [];
    if (batch.length > 0)
      writes = writes.then(async () => {
        const stored = batch.map(({ line, source }) => ({ session, line, source }));
        entries.push(...stored);
        if (!file) return;
        const text = stored.map((entry) => JSON.stringify(entry) + '\n').join('');
        await appendFile(file, text).catch((err: unknown) => log.warn({ err }, 'history append failed'));
      });
    return writes;
  };
  return {
    record(line, source) {
      waiting.push({ line, source });
      timer ??= setTimeout(() => void drain(), WRITE_DELAY_MS).unref();
    },
    async query(query) {
      await drain();
      return select(entries, session, query);
    },
    flush: drain,
  };
}

/** Reads the stored entries (skipping bad lines) and trims the file to the last MAX_ENTRIES. */
async function load(file: string, log: Logger): Promise<Stored[]> {
  await mkdir(dirname(file), { recursive: true }).catch(() => undefined);
  const text = await readFile(file, 'utf8').catch(() => '');
  const all = text.split('\n').flatMap((line) => {
    try {
      const e = JSON.parse(line) as Stored;
      return typeof e.session === 'number' && typeof e.line === 'number' && typeof e.source === 'string' ? [e] : [];
    } catch {
      return [];
    }
  });
  const kept = all.slice(-MAX_ENTRIES);
  if (kept.length < all.length) {
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, kept.map((e) => JSON.stringify(e) + '\n').join(''))
      .then(() => rename(tmp, file))
      .catch((err: unknown) => log.warn({ err }, 'history trim failed'));
  }
  return kept;
}

/** A glob (`*`, `?`, `[...]`, as IPython's history search) as a whole-string regular expression. */
export function globToRegExp(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|\\]/g, '\\$&')
    .replace(/\*/g, '[\\s\\S]*')
    .replace(/\?/g, '[\\s\\S]');
  return new RegExp(`^${body}$`);
}

/** The entries a query asks for, as history_reply rows. */
export function select(entries: readonly Stored[], current: number, q: HistoryQuery): HistoryEntry[] {
  let chosen: Stored[];
  if (q.histAccessType === 'tail') {
    chosen = q.unique ? uniqueBySource(entries) : [...entries];
    chosen = chosen.slice(-(q.n ?? 10));
  } else if (q.histAccessType === 'range') {
    const session = q.session === undefined || q.session === 0 ? current : q.session < 0 ? current + q.session : q.session;
    const start = q.start ?? 0;
    chosen = entries.filter((e) => e.session === session && e.line >= start && (q.stop === undefined || q.stop <= 0 || e.line < q.stop));
  } else {
    const re = globToRegExp(q.pattern ?? '*');
    chosen = entries.filter((e) => re.test(e.source));
    if (q.unique) chosen = uniqueBySource(chosen);
    if (q.n) chosen = chosen.slice(-q.n);
  }
  return chosen.map((e) => (q.output ? [e.session, e.line, [e.source, null]] : [e.session, e.line, e.source]));
}

/** Each source once, at its last occurrence, in order. */
function uniqueBySource(entries: readonly Stored[]): Stored[] {
  const last = new Map<string, number>();
  entries.forEach((e, i) => last.set(e.source, i));
  return entries.filter((e, i) => last.get(e.source) === i);
}
