// The host's session cells: one Session (src/session) per session id a kernel chose, made by its
// first cell, at most --max-sessions at once. The calls on one session run one after another. A
// session ends when its kernel ends it, when the call by which the kernel holds it goes away,
// after --session-idle seconds without a call, and when the host stops.
import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { Session } from '../session/session.js';
import type { Refusal } from './request.js';

interface Entry {
  session: Session;
  /** The last call queued on the session: the next one waits for it. */
  tail: Promise<unknown>;
  /** Calls in progress or waiting; the idle clock runs only at 0. */
  busy: number;
  /** Aborts what runs on it now (its end aborts them). */
  running: Set<AbortController>;
  idle?: NodeJS.Timeout;
}

export interface SessionTableOptions {
  max: number;
  /** Seconds without a call before a session ends (0: never). */
  idleS: number;
  log: Logger;
}

/** Why recent sessions ended, remembered for this many ids. */
const REMEMBERED = 1000;

export class HostSessions {
  readonly #open = new Map<string, Entry>();
  readonly #holds = new Map<string, () => void>();
  readonly #ended = new Map<string, string>();

  constructor(private readonly options: SessionTableOptions) {}

  /** Sessions open now. */
  get size(): number {
    return this.#open.size;
  }

  /** Whether session `id` is open. */
  has(id: string): boolean {
    return this.#open.has(id);
  }

  /** Opens session `id` with `make` unless it is open; refused past the limit, or when the caller expected it and it is gone. */
  open(id: string, requireExisting: boolean, make: () => Session): Refusal | undefined {
    if (this.#open.has(id)) return undefined;
    if (requireExisting) {
      const why = this.#ended.get(id) ?? 'the host has no record of it: it was restarted since';
      return { code: grpc.status.NOT_FOUND, details: why };
    }
    if (this.#open.size >= this.options.max) {
      const idle = this.options.idleS > 0 ? ` or after ${this.options.idleS} s without a cell` : '';
      const details = `this host holds its limit of ${this.options.max} sessions (--max-sessions); one ends when its kernel shuts down${idle}`;
      return { code: grpc.status.RESOURCE_EXHAUSTED, details };
    }
    this.#open.set(id, { session: make(), tail: Promise.resolve(), busy: 0, running: new Set() });
    this.#ended.delete(id);
    this.options.log.info({ session: id, open: this.#open.size }, 'session opened');
    return undefined;
  }

  /** Runs `work` once the session's earlier calls are done (the idle clock stopped meanwhile); 'gone' when it ended first. */
  async use<T>(id: string, controller: AbortController, work: (session: Session) => Promise<T>): Promise<T | 'gone'> {
    const entry = this.#open.get(id);
    if (!entry) return 'gone';
    entry.busy++;
    clearTimeout(entry.idle);
    const turn = entry.tail.then(async () => {
      if (this.#open.get(id) !== entry || controller.signal.aborted) return 'gone' as const;
      entry.running.add(controller);
      try {
        return await work(entry.session);
      } finally {
        entry.running.delete(controller);
      }
    });
    entry.tail = turn.catch(() => undefined);
    try {
      return await turn;
    } finally {
      if (--entry.busy === 0 && this.#open.get(id) === entry) this.#idleClock(id, entry);
    }
  }

  /** The session, for a look that need not wait its turn (describe); the idle clock starts again. */
  peek(id: string): Session | undefined {
    const entry = this.#open.get(id);
    if (entry && entry.busy === 0) this.#idleClock(id, entry);
    return entry?.session;
  }

  /** A kernel holds session `id` through a call that `release` ends; call the answer when that call goes away. */
  hold(id: string, release: () => void): () => void {
    this.#holds.get(id)?.();
    this.#holds.set(id, release);
    return () => {
      if (this.#holds.get(id) !== release) return;
      this.#holds.delete(id);
      if (this.#open.has(id)) this.#endSoon(id, 'the kernel that held it went away (its connection to the host closed)');
    };
  }

  /** Ends session `id`: what runs on it is aborted, its runner ends, its hold is released; false when it was not open. */
  async end(id: string, why: string): Promise<boolean> {
    const entry = this.#open.get(id);
    this.#holds.get(id)?.();
    this.#holds.delete(id);
    if (!entry) return false;
    this.#open.delete(id);
    clearTimeout(entry.idle);
    this.#remember(id, why);
    for (const controller of entry.running) controller.abort();
    this.options.log.info({ session: id, why, open: this.#open.size }, 'session ended');
    await entry.session.close();
    return true;
  }

  /** Ends every session (the host stops). */
  async endAll(why: string): Promise<void> {
    await Promise.all([...this.#open.keys()].map((id) => this.end(id, why)));
    for (const release of this.#holds.values()) release();
    this.#holds.clear();
  }

  /** Ends a session from a timer or an event: a failure is logged. */
  #endSoon(id: string, why: string): void {
    this.end(id, why).catch((error: unknown) => this.options.log.error({ err: error, session: id }, 'ending the session failed'));
  }

  /** Starts the idle clock of a session that nothing uses now. */
  #idleClock(id: string, entry: Entry): void {
    clearTimeout(entry.idle);
    const { idleS } = this.options;
    if (idleS <= 0) return;
    entry.idle = setTimeout(() => this.#endSoon(id, `it ran no cell for ${idleS} s (the host's --session-idle)`), idleS * 1000);
    entry.idle.unref();
  }

  /** Keeps why `id` ended, for a kernel that comes back to it; the oldest reasons go first. */
  #remember(id: string, why: string): void {
    this.#ended.delete(id);
    this.#ended.set(id, why);
    if (this.#ended.size > REMEMBERED) this.#ended.delete(this.#ended.keys().next().value!);
  }
}
