/** Courier's JSON logger, with redaction of every field that could carry a secret or a token. */
import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger } from 'pino';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Field names that are never printed, at the top level or one level down. Mount code logs none of
 * them; this is the net under that rule, for a field added by mistake or an error's own properties.
 */
const REDACTED_FIELDS = ['attributes', 'secrets', 'token', 'tokens', 'contents', 'password', 'secret', 'secretString', 'authorization', 'parameters', 'credentials'];

/** Creates the logger; `destination` lets tests capture every line. */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const paths = REDACTED_FIELDS.flatMap((field) => [field, `*.${field}`]);
  const options = {
    level,
    base: { service: 'courier' },
    redact: { paths, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  return destination ? pino(options, destination) : pino(options);
}
