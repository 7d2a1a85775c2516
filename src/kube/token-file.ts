/** A bearer token kept in a file and read again as it changes: kubelet rotates the projected service-account token. */
import { readFile, stat } from 'node:fs/promises';

/** Longest a token read from the file is used without reading the file again, as client-go does. */
export const TOKEN_REFRESH_MS = 60_000;

/** The token of one file. */
export interface TokenFile {
  /**
   * The token. The file is read on first use, again when the last read is older than the refresh
   * interval, and at once when its modification time changes (a stat per call is a few microseconds;
   * kubelet replaces the file atomically, so a new mtime means a new token).
   */
  token(): Promise<string>;
  /** After the API refused `sent` (401): reads the file again; resolves true when it now holds another token. */
  refresh(sent: string): Promise<boolean>;
}

interface Read {
  readonly token: string;
  readonly mtimeMs: number;
  readonly at: number;
}

/** Reads `file` as TokenFile describes. `now` is the clock in epoch milliseconds (tests). */
export function createTokenFile(file: string, now: () => number = Date.now, refreshMs: number = TOKEN_REFRESH_MS): TokenFile {
  let last: Read | undefined;
  let reading: Promise<Read> | undefined;
  // Concurrent calls that find the token stale share one read.
  const read = (): Promise<Read> =>
    (reading ??= readToken(file, now).finally(() => {
      reading = undefined;
    })).then((fresh) => (last = fresh));
  return {
    async token() {
      if (last === undefined || now() - last.at >= refreshMs) return (await read()).token;
      const current = await stat(file).then(
        (stats) => stats.mtimeMs,
        () => Number.NaN,
      );
      return current === last.mtimeMs ? last.token : (await read()).token;
    },
    async refresh(sent) {
      return (await read()).token !== sent;
    },
  };
}

async function readToken(file: string, now: () => number): Promise<Read> {
  const at = now();
  // The mtime before the text: a file replaced in between is then read again on the next call.
  const { mtimeMs } = await stat(file);
  const text = await readFile(file, 'utf8');
  // client-go trims too: a token written by hand often ends in a newline.
  const token = text.trim();
  if (token === '') throw new Error(`the token file ${file} is empty`);
  return { token, mtimeMs, at };
}
