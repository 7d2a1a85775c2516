/** A pino logger whose lines tests can read (for log-content assertions). */
import { Writable } from 'node:stream';
import { createLogger, type Logger, type LogLevel } from '../../src/observability/logger.ts';

/** A logger and every line it has written so far. */
export interface CapturedLogs {
  readonly logger: Logger;
  readonly lines: string[];
}

/** Creates a logger at `level` that keeps its lines in memory. */
export function captureLogs(level: LogLevel = 'info'): CapturedLogs {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString('utf8').split('\n').filter((line) => line !== ''));
      callback();
    },
  });
  return { logger: createLogger(level, sink), lines };
}
