/** A bounded, time-limited cache of fetched secret values, keyed by store, identity and request. */
import type { Clock } from './clock.ts';

/**
 * A value as the cache hands it out: a copy of the bytes, never the cache's own. Read-only: the Mounts
 * asking for one large value at the same time share one copy (SHARED_COPY_BYTES).
 */
export interface CachedValue {
  readonly contents: Uint8Array;
  readonly version: string;
}

interface Entry {
  readonly store: string;
  /** Whose fetch it was (store and identity); undefined when the caller named nobody. */
  readonly owner: string | undefined;
  /** The cache's private copy; zeroed when the entry leaves the cache. */
  readonly contents: Uint8Array;
  readonly version: string;
  readonly expiresAt: number;
  readonly bytes: number;
  /** The copy handed out last, for a large value: given again while some Mount still holds it. */
  handedOut?: WeakRef<Uint8Array>;
}

/**
 * Values from this size on are handed out as one copy while any Mount still holds it, instead of a copy
 * per hit: copying megabytes per Mount cost more than the rest of it, mostly in garbage collection.
 */
const SHARED_COPY_BYTES = 64 * 1024;

/** The part of a full cache past which an owner makes room from its own values first. */
const OWNER_SHARE = 0.25;

/** Rough bookkeeping cost of an entry besides its contents and key (object, map slot, version). */
const ENTRY_OVERHEAD_BYTES = 128;

/** Limits of a value cache. */
export interface ValueCacheOptions {
  /** How long a value may be served after the store returned it; 0 disables the cache. */
  readonly ttlMs: number;
  readonly maxBytes: number;
  readonly clock: Clock;
  /** Called with the cache's size after every change (the bytes gauge). */
  readonly onSize?: (bytes: number) => void;
  /** Makes the cache's and the callers' copies; a seam for tests that check zeroing. */
  readonly copy?: (bytes: Uint8Array) => Uint8Array;
}

/**
 * Values by key, dropped when they are older than the TTL or when the cache is over its byte
 * budget (oldest first). The cache keeps its own copy of every value and hands out copies, so it
 * can zero its copy on eviction without touching bytes that a response is still being built from. A
 * handed-out copy is garbage once no Mount holds it; nothing Courier does writes into one.
 */
export class ValueCache {
  readonly #entries = new Map<string, Entry>();
  /** Each owner's keys, oldest first, and the bytes they hold. */
  readonly #owned = new Map<string, { readonly keys: Set<string>; bytes: number }>();
  readonly #options: ValueCacheOptions;
  readonly #copy: (bytes: Uint8Array) => Uint8Array;
  readonly #handOut: (bytes: Uint8Array) => Uint8Array;
  #bytes = 0;
  /** No value expires before this: a lookup sweeps only from then on (every lookup walking the cache cost more than the lookup). */
  #sweepAt = Number.POSITIVE_INFINITY;

  constructor(options: ValueCacheOptions) {
    this.#options = options;
    // The cache's own copy has a buffer of its own, zeroed on eviction; the copies it hands out live for
    // one Mount, and Buffer.from takes small ones from Node's shared pool, which costs far less per hit.
    this.#copy = options.copy ?? ((bytes) => new Uint8Array(bytes));
    this.#handOut = options.copy ?? ((bytes) => Buffer.from(bytes));
  }

  get enabled(): boolean {
    return this.#options.ttlMs > 0 && this.#options.maxBytes > 0;
  }

  /** Bytes held (contents, keys and overhead). */
  get bytes(): number {
    return this.#bytes;
  }

  /** Number of values held. */
  get size(): number {
    return this.#entries.size;
  }

  /** A copy of the value under `key`, unless it is absent or expired. */
  get(key: string): CachedValue | undefined {
    this.sweep();
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.contents.byteLength < SHARED_COPY_BYTES) return { contents: this.#handOut(entry.contents), version: entry.version };
    const held = entry.handedOut?.deref();
    if (held) return { contents: held, version: entry.version };
    const contents = this.#handOut(entry.contents);
    entry.handedOut = new WeakRef(contents);
    return { contents, version: entry.version };
  }

  /**
   * Stores a copy of a successful fetch; a value larger than the whole budget is not kept. When the
   * cache is full, an `owner` (a store and identity) holding more than a quarter of it makes room from
   * its own oldest values; anyone else, from the oldest of all. So one identity fetching many large
   * secrets uses the whole cache while alone, but cannot push the others' values out.
   */
  set(key: string, store: string, value: CachedValue, owner?: string): void {
    if (!this.enabled) return;
    this.#delete(key);
    const bytes = value.contents.byteLength + key.length * 2 + value.version.length * 2 + ENTRY_OVERHEAD_BYTES;
    if (bytes > this.#options.maxBytes) return this.#changed();
    const contents = this.#copy(value.contents);
    const expiresAt = this.#options.clock.now() + this.#options.ttlMs;
    this.#entries.set(key, { store, owner, contents, version: value.version, expiresAt, bytes });
    this.#sweepAt = Math.min(this.#sweepAt, expiresAt);
    this.#bytes += bytes;
    const mine = owner === undefined ? undefined : (this.#owned.get(owner) ?? { keys: new Set<string>(), bytes: 0 });
    if (owner !== undefined && mine) {
      mine.keys.add(key);
      mine.bytes += bytes;
      this.#owned.set(owner, mine);
    }
    this.sweep();
    const share = this.#options.maxBytes * OWNER_SHARE;
    while (this.#bytes > this.#options.maxBytes) {
      // Insertion order is expiry order (one TTL for all), so the first keys are the oldest; the value
      // just stored is the newest, so it is the first only when nothing else is left.
      let oldest = mine && mine.bytes > share ? mine.keys.values().next().value : undefined;
      if (oldest === undefined || oldest === key) oldest = this.#entries.keys().next().value;
      if (oldest === undefined || oldest === key) break;
      this.#delete(oldest);
    }
    this.#changed();
  }

  /** Drops every expired value. */
  sweep(): void {
    const now = this.#options.clock.now();
    if (now < this.#sweepAt) return;
    let dropped = false;
    this.#sweepAt = Number.POSITIVE_INFINITY;
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAt > now) {
        this.#sweepAt = entry.expiresAt;
        break;
      }
      this.#delete(key);
      dropped = true;
    }
    if (dropped) this.#changed();
  }

  /** Drops every value of one store (its backend said earlier answers are stale). */
  dropStore(store: string): void {
    for (const [key, entry] of this.#entries) if (entry.store === store) this.#delete(key);
    this.#changed();
  }

  /** Drops everything. */
  clear(): void {
    for (const key of [...this.#entries.keys()]) this.#delete(key);
    this.#changed();
  }

  #delete(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    entry.contents.fill(0);
    this.#entries.delete(key);
    this.#bytes -= entry.bytes;
    if (entry.owner === undefined) return;
    const owned = this.#owned.get(entry.owner);
    if (!owned) return;
    owned.keys.delete(key);
    owned.bytes -= entry.bytes;
    if (owned.keys.size === 0) this.#owned.delete(entry.owner);
  }

  #changed(): void {
    this.#options.onSize?.(this.#bytes);
  }
}
