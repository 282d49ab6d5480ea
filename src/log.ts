// The root pino logger: JSON lines on stderr (stdout stays silent), its level from the settings
// (ICUDA_LOG_LEVEL), secrets redacted. Everything else logs through child() of this one.
// pino itself is loaded at the first line that passes the level, and each child is made in
// pino when it first logs: a kernel at its default level (warn) with nothing to say never
// loads it, and its first reply does not wait for it (about 10 ms of a kernel's start).
import { createRequire } from 'node:module';
import type { Bindings, DestinationStream, Logger, pino as Pino } from 'pino';

export type { Logger };

const REDACT = ['key', '*.key', 'token', '*.token', 'connection.key'];

/** pino's levels by name: a line is written when its level is at least the logger's. */
const LEVELS: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity };
const METHODS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

const require = createRequire(import.meta.url);

/** Creates the root logger (default level warn); `sink` replaces stderr (tests read what was logged). */
export function createLogger(options: { level?: string; sink?: DestinationStream } = {}): Logger {
  const level = options.level ?? 'warn';
  const make = (): Logger => {
    const { pino } = require('pino') as { pino: typeof Pino };
    return pino(
      { name: 'icuda', level, redact: { paths: REDACT, censor: '[redacted]' } },
      options.sink ?? pino.destination({ dest: 2, sync: true }),
    );
  };
  // A level pino does not know: let pino say so now, as it always did.
  if (!(level in LEVELS)) return make();
  return deferred(once(make), level);
}

/** A logger that drops everything: for tests and tools that want no log. */
export function silentLogger(): Logger {
  return createLogger({ level: 'silent' });
}

/** A stand-in for the pino logger `real()` makes at `level`: lines below the level are dropped at
 * once; the first line that passes makes it (a child likewise, from its parent's). Only what
 * icuda uses of a logger is here: the level methods, child(), level and isLevelEnabled(). */
function deferred(real: () => Logger, level: string): Logger {
  const threshold = LEVELS[level];
  const logger: Record<string, unknown> = {
    level,
    child: (bindings: Bindings) =>
      deferred(
        once(() => real().child(bindings)),
        level,
      ),
    isLevelEnabled: (name: string) => (LEVELS[name] ?? Infinity) >= threshold,
  };
  for (const name of METHODS) {
    logger[name] = LEVELS[name] >= threshold ? (...args: Parameters<Logger['info']>) => real()[name](...args) : () => undefined;
  }
  return logger as unknown as Logger;
}

/** `make`, called at most once. */
function once<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}
