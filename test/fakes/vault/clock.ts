/** The fake's clock (real time plus an offset tests can advance) and the random identifiers Vault hands out. */
import { randomBytes, randomUUID } from 'node:crypto';

/** Real time, shifted forward by `advance()`, so a test can expire a token or lease without waiting. */
export class FakeClock {
  #offsetMs = 0;
  #frozenAt: number | undefined;

  /** Milliseconds since the epoch, as the fake sees them. */
  now(): number {
    return this.#frozenAt ?? Date.now() + this.#offsetMs;
  }

  /** Stops the clock where it is (only advance() moves it), so TTLs read back exactly. */
  freeze(): void {
    this.#frozenAt = this.now();
  }

  /** Lets the clock run again from where it stands. */
  resume(): void {
    if (this.#frozenAt === undefined) return;
    this.#offsetMs = this.#frozenAt - Date.now();
    this.#frozenAt = undefined;
  }

  /** Whole seconds since the epoch. */
  nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }

  /** Moves the fake's time forward. */
  advance(seconds: number): void {
    if (this.#frozenAt !== undefined) this.#frozenAt += seconds * 1000;
    else this.#offsetMs += seconds * 1000;
  }

  /** An RFC 3339 timestamp with nanosecond digits, like Vault's `created_time`. */
  timestamp(ms: number = this.now()): string {
    return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
  }
}

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `length` random characters of [A-Za-z0-9]. */
export function randomBase62(length: number): string {
  let out = '';
  for (const byte of randomBytes(length * 2)) {
    if (byte >= 248) continue;
    out += BASE62[byte % 62];
    if (out.length === length) break;
  }
  return out.length === length ? out : out + randomBase62(length - out.length);
}

/** A UUID, as Vault uses for request ids, entity ids and engine uuids. */
export function uuid(): string {
  return randomUUID();
}
