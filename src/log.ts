// The root pino logger: JSON lines on stderr (stdout stays silent), its level from the settings
// (ICUDA_LOG_LEVEL), secrets redacted. Everything else logs through child() of this one.
import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

const REDACT = ['key', '*.key', 'token', '*.token', 'connection.key'];

/** Creates the root logger (default level warn); `sink` replaces stderr (tests read what was logged). */
export function createLogger(options: { level?: string; sink?: DestinationStream } = {}): Logger {
  return pino(
    { name: 'icuda', level: options.level ?? 'warn', redact: { paths: REDACT, censor: '[redacted]' } },
    options.sink ?? pino.destination({ dest: 2, sync: true }),
  );
}

/** A logger that drops everything: for tests and tools that want no log. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
