/** Values remembered per key until a deadline each value sets, with one load in flight per key. */

/** A loaded value and until when (epoch ms) it may be handed out again; a time not after now keeps nothing. */
export interface Expiring<T> {
  readonly value: T;
  readonly until: number;
}

interface Loading<T> {
  readonly promise: Promise<T>;
  readonly startedAt: number;
}

/**
 * The memo behind Courier's credential, token and ServiceAccount caches: concurrent callers of one
 * key share one load, a failed load is not remembered (the next caller tries again), and at most
 * `maxEntries` are kept — expired entries go first, then the oldest.
 */
export class ExpiringMemo<T> {
  readonly #entries = new Map<string, Expiring<T>>();
  readonly #loading = new Map<string, Loading<T>>();
  readonly #maxEntries: number;
  readonly #now: () => number;

  constructor(maxEntries: number, now: () => number = Date.now) {
    this.#maxEntries = maxEntries;
    this.#now = now;
  }

  /** The remembered value for `key` while it is usable, without loading. */
  cached(key: string): T | undefined {
    const entry = this.#entries.get(key);
    return entry && entry.until > this.#now() ? entry.value : undefined;
  }

  /**
   * The remembered value for `key` while it is usable; otherwise runs `load` once for all concurrent
   * callers. A caller does not join a load that has already run longer than `maxJoinAgeMs` (its own
   * time budget): such a load is presumed hung, and the caller starts a fresh one that later callers join.
   */
  get(key: string, load: () => Promise<Expiring<T>>, maxJoinAgeMs: number = Number.POSITIVE_INFINITY): Promise<T> {
    const entry = this.#entries.get(key);
    const now = this.#now();
    if (entry && entry.until > now) return Promise.resolve(entry.value);
    const running = this.#loading.get(key);
    if (running && now - running.startedAt <= maxJoinAgeMs) return running.promise;
    const loading: Loading<T> = {
      startedAt: now,
      promise: load()
        .then(({ value, until }) => {
          this.#remember(key, { value, until });
          return value;
        })
        .finally(() => {
          if (this.#loading.get(key) === loading) this.#loading.delete(key);
        }),
    };
    this.#loading.set(key, loading);
    return loading.promise;
  }

  /**
   * Forgets `key`: its value (the store refused it, e.g. expired credentials) and any load in flight,
   * so the next caller loads afresh.
   */
  delete(key: string): void {
    this.#entries.delete(key);
    this.#loading.delete(key);
  }

  /** Forgets everything (what was loaded is stale). */
  clear(): void {
    this.#entries.clear();
    this.#loading.clear();
  }

  /** Number of remembered entries. */
  get size(): number {
    return this.#entries.size;
  }

  #remember(key: string, entry: Expiring<T>): void {
    const now = this.#now();
    if (entry.until <= now) return;
    this.#entries.delete(key);
    if (this.#entries.size >= this.#maxEntries) {
      for (const [old, value] of this.#entries) if (value.until <= now) this.#entries.delete(old);
      const oldest = this.#entries.keys().next();
      if (this.#entries.size >= this.#maxEntries && !oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, entry);
  }
}
