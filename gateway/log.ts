import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths pino blanks before a line is written. Personal data never reaches journald:
 * ID numbers, card numbers, tokens, images, passwords (design.md §9).
 */
export const REDACT_PATHS = [
  'password',
  '*.password',
  'token',
  '*.token',
  'idNumber',
  '*.idNumber',
  '*.number',
  'uid',
  '*.uid',
  'image',
  '*.image',
  '*.data',
  'secret',
  '*.secret',
  'headers.authorization',
  'headers.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
];

export interface LogOptions {
  level: string;
  /** Human-readable output for a terminal; JSON otherwise (journald). */
  pretty?: boolean;
  /** Where lines go; stdout by default. Tests pass a stream to read them back. */
  destination?: pino.DestinationStream;
}

/** Creates the root logger. Modules take child loggers: `log.child({ module: 'store' })`. */
export function createLogger(opts: LogOptions): Logger {
  const base: pino.LoggerOptions = {
    level: opts.level,
    base: undefined,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (opts.destination) return pino(base, opts.destination);
  if (opts.pretty) {
    return pino({
      ...base,
      transport: {
        target: 'pino-pretty',
        options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' },
      },
    });
  }
  return pino(base, pino.destination({ sync: false }));
}

/** A logger that writes nothing (benchmarks, some unit tests). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
