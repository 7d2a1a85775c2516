/** Courier's JSON logger: errors logged as name, message and stack only, and every field that could carry a secret or a token censored at any depth. */
import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger } from 'pino';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Field names that are never printed, at any depth. Mount code logs none of them; this is the net under
 * that rule, for a field added by mistake or the properties of an error a library threw.
 */
const REDACTED_FIELDS = new Set(['attributes', 'secrets', 'token', 'tokens', 'contents', 'password', 'secret', 'secretstring', 'authorization', 'parameters', 'credentials', 'clientsecret', 'client_secret', 'privatekey', 'private_key', 'jwt', 'assertion', 'client_assertion', 'headers', 'body', 'data']);
const CENSOR = '[redacted]';
/** Deeper than this, values are replaced: log fields are flat by design. */
const MAX_DEPTH = 6;

/**
 * Creates the logger; `destination` lets tests capture every line. Without one, lines are written to
 * stdout synchronously: an asynchronous write goes through libuv's thread pool, and waking its thread for
 * every Mount's line cost about 24 µs of the main thread per line against under 1 µs for the write itself
 * (docs/operations.md#logs). The line is also never lost when the process dies.
 */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'courier' },
    timestamp: pino.stdTimeFunctions.isoTime,
    // pino's own error serializer would add fields of its choosing; `censor` below has already reduced errors.
    serializers: { err: (value: unknown) => value },
    formatters: { level: (label: string) => ({ level: label }), log: (object: Record<string, unknown>) => censor(object, 0) as Record<string, unknown> },
  };
  return pino(options, destination ?? pino.destination({ dest: 1, sync: true }));
}

/** Name, message and stack of an error; nothing else of it. */
export function errorFields(error: unknown): { name: string; message: string; stack?: string } {
  if (!(error instanceof Error)) return { name: typeof error, message: 'a non-Error value was thrown' };
  return { name: error.name, message: error.message, ...(error.stack === undefined ? {} : { stack: error.stack }) };
}

/** A copy of `value` with every redacted field name (any case) censored, at every depth. */
function censor(value: unknown, depth: number): unknown {
  if (value === null || typeof value !== 'object') return value;
  // An error, at any depth, is logged as what it is and where it was thrown, never with its own properties:
  // an SDK's error object can carry the request, its headers (a token) or the response body (a secret).
  if (value instanceof Error) return errorFields(value);
  if (depth >= MAX_DEPTH) return CENSOR;
  if (Array.isArray(value)) return value.map((item) => censor(item, depth + 1));
  // Flat fields, none of them redacted (the line of every Mount), are printed as they are.
  if (flatAndClean(value as Record<string, unknown>)) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) copy[key] = redacted(key) ? CENSOR : censor(item, depth + 1);
  return copy;
}

function flatAndClean(value: Readonly<Record<string, unknown>>): boolean {
  for (const key of Object.keys(value)) {
    const item = value[key];
    if ((item !== null && typeof item === 'object') || redacted(key)) return false;
  }
  return true;
}

/** Field names as lower case, for the ones seen so far (log fields are few); bounded, as an error's fields may be anything. */
const lowered = new Map<string, string>();

function redacted(key: string): boolean {
  let lower = lowered.get(key);
  if (lower === undefined) {
    lower = key.toLowerCase();
    if (lowered.size < 1_000) lowered.set(key, lower);
  }
  return REDACTED_FIELDS.has(lower);
}
