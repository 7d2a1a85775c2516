/** The fetch layer in front of the stores: identity-scoped value cache, single-flight, per-store queues. */
import type { Backend, BackendRegistry, FetchContext, FetchRequest, FetchResult } from '../stores/backend.ts';
import { status } from '../errors/status-codes.ts';
import { DeadlineError, type CourierError } from '../errors/courier-error.ts';
import { ExpiringMemo } from '../identity/expiring-memo.ts';
import type { Metrics } from '../observability/metrics.ts';
import { systemClock, type Clock } from './clock.ts';
import { createObjectFetcher, type BatchFetch, type ObjectFetcher } from './fetch-objects.ts';
import { scopedRequestKey } from './request-key.ts';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy.ts';
import { SingleFlight } from './single-flight.ts';
import { createStoreQueue, type StoreQueue } from './store-queue.ts';
import { ValueCache } from './value-cache.ts';

/** Settings of the fetch layer (flags `--cache-ttl`, `--cache-max-bytes`, `--max-concurrent-fetches`). */
export interface FetchLayerOptions {
  /** How long a fetched value may be served again; 0 disables the cache. */
  readonly cacheTtlMs: number;
  readonly cacheMaxBytes: number;
  /** Store calls in flight at once, per store. */
  readonly maxConcurrentFetches: number;
  /** Store calls in flight at once for one identity, per store (default: a quarter of maxConcurrentFetches, at least 1). */
  readonly maxConcurrentFetchesPerIdentity?: number;
  /** How long a NOT_FOUND or PERMISSION_DENIED answer is given again without asking the store (0 turns it off). */
  readonly negativeCacheTtlMs?: number;
  readonly retry?: RetryPolicy;
  readonly clock?: Clock;
  /** Source of retry jitter, in [0, 1). */
  readonly random?: () => number;
}

/**
 * 30 s bounds staleness well below kubelet's one-minute re-publish, so every rotation round still
 * reaches the store at most twice a minute per distinct secret. 16 calls per store in flight: at
 * 50-100 ms a call that is 160-320 calls a second per node, far more than a node needs once values
 * are shared, and few enough that a rollout on hundreds of nodes does not use up a store quota.
 */
export const DEFAULT_FETCH_LAYER_OPTIONS: FetchLayerOptions = Object.freeze({ cacheTtlMs: 30_000, cacheMaxBytes: 64 * 1024 * 1024, maxConcurrentFetches: 16, maxConcurrentFetchesPerIdentity: 4, negativeCacheTtlMs: 5_000 });

/** Past the retry budget by this much, a shared store call is presumed hung (every store call times out sooner). */
const HUNG_CALL_MARGIN_MS = 15_000;

/** Denials and misses remembered at most (the oldest go first); each is a key and an error message. */
const MAX_NEGATIVE_ENTRIES = 10_000;

/** A fetch layer: the BatchFetch to give createObjectFetcher, and its cache. */
export interface FetchLayer {
  readonly batchFetch: BatchFetch;
  readonly cache: ValueCache;
  /** Stops the sweep timer and zeroes the cache. */
  close(): void;
}

/** An ObjectFetcher with the fetch layer in front of the stores. */
export interface ScaledFetcher extends ObjectFetcher {
  readonly layer: FetchLayer;
  close(): void;
}

/** Lookups of one batch, counted into the metrics once. */
interface LookupCounts {
  hits: number;
  negativeHits: number;
  misses: number;
  joins: number;
}

interface StoreState {
  readonly queue: StoreQueue;
  readonly flights: SingleFlight<FetchResult>;
  /** Bumped when the store invalidates, so a fetch that raced the change is not cached. */
  generation: number;
}

/** Builds the fetcher Courier serves with. */
export function createScaledFetcher(backends: BackendRegistry, metrics: Metrics, options: FetchLayerOptions = DEFAULT_FETCH_LAYER_OPTIONS): ScaledFetcher {
  const layer = createFetchLayer(metrics, options);
  return { ...createObjectFetcher(backends, metrics, layer.batchFetch), layer, close: () => layer.close() };
}

/** Builds the layer; stores are set up on first use. */
export function createFetchLayer(metrics: Metrics, options: FetchLayerOptions): FetchLayer {
  return new CachingLayer(metrics, options);
}

class CachingLayer implements FetchLayer {
  readonly cache: ValueCache;
  readonly batchFetch: BatchFetch;
  readonly #metrics: Metrics;
  readonly #options: FetchLayerOptions;
  readonly #clock: Clock;
  readonly #stores = new Map<string, StoreState>();
  readonly #sweeper: NodeJS.Timeout | undefined;
  readonly #negative: ExpiringMemo<CourierError>;
  readonly #negativeTtlMs: number;

  constructor(metrics: Metrics, options: FetchLayerOptions) {
    this.#metrics = metrics;
    this.#options = options;
    this.#clock = options.clock ?? systemClock();
    this.#negativeTtlMs = options.negativeCacheTtlMs ?? 0;
    this.#negative = new ExpiringMemo(MAX_NEGATIVE_ENTRIES, () => this.#clock.now());
    this.cache = new ValueCache({ ttlMs: options.cacheTtlMs, maxBytes: options.cacheMaxBytes, clock: this.#clock, onSize: (bytes) => metrics.cacheBytes.set(bytes) });
    // Expired values are also dropped (and zeroed) when nobody asks for them.
    this.#sweeper = this.cache.enabled ? setInterval(() => this.cache.sweep(), Math.max(1_000, options.cacheTtlMs)).unref() : undefined;
    this.batchFetch = (backend, identity, requests, context) => {
      const counts: LookupCounts = { hits: 0, negativeHits: 0, misses: 0, joins: 0 };
      const answers: FetchResult[] = [];
      const waits: Array<Promise<void>> = [];
      requests.forEach((request, index) => {
        const answer = this.#fetchOne(backend, identity, request, context, counts);
        if (answer instanceof Promise) waits.push(answer.then((result) => void (answers[index] = result)));
        else answers[index] = answer;
      });
      // Each lookup is counted before #fetchOne returns, so the counts are complete here: one metric update per kind and batch.
      this.#count(backend.store, counts);
      // A batch answered from memory waits on nothing.
      return waits.length === 0 ? answers : Promise.all(waits).then(() => answers);
    };
  }

  close(): void {
    if (this.#sweeper) clearInterval(this.#sweeper);
    this.cache.clear();
  }

  #count(store: string, counts: LookupCounts): void {
    if (counts.hits > 0) this.#metrics.cacheHits.inc({ store }, counts.hits);
    if (counts.negativeHits > 0) this.#metrics.negativeCacheHits.inc({ store }, counts.negativeHits);
    if (counts.misses > 0) this.#metrics.cacheMisses.inc({ store }, counts.misses);
    if (counts.joins > 0) this.#metrics.singleflightJoins.inc({ store }, counts.joins);
  }

  /** Answers from memory, or with the store call it starts or joins; the lookup is counted into `counts` before it returns. */
  #fetchOne(backend: Backend, identity: string, request: FetchRequest, context: FetchContext, counts: LookupCounts): FetchResult | Promise<FetchResult> {
    const store = backend.store;
    // The identity key is part of the cache key (DESIGN rule 2): a value fetched with one
    // workload's authorization is never handed to another workload, even for the same name.
    const key = scopedRequestKey(store, identity, request);
    const cached = this.cache.get(key);
    if (cached) {
      counts.hits += 1;
      return { ok: true, ...cached };
    }
    const denied = this.#negative.cached(key);
    if (denied) {
      counts.negativeHits += 1;
      return { ok: false, error: denied };
    }
    counts.misses += 1;
    const state = this.#stateOf(backend);
    const generation = state.generation;
    const ticket = state.flights.run(key, context.signal, async (signal) => {
      const result = await state.queue.fetch(identity, request, { ...context, signal });
      // Values are cached for the TTL; of the errors only a miss or a denial, briefly (docs/caching.md), so a
      // broken pod's retries do not hammer the store. Throttling and outages are never remembered.
      if (result.ok && generation === state.generation) this.cache.set(key, store, result, JSON.stringify([store, identity]));
      if (!result.ok && this.#negativeTtlMs > 0 && generation === state.generation && (result.error.grpcCode === status.NOT_FOUND || result.error.grpcCode === status.PERMISSION_DENIED)) {
        const until = this.#clock.now() + this.#negativeTtlMs;
        void this.#negative.get(key, () => Promise.resolve({ value: result.error, until }));
      }
      return result;
    });
    if (ticket.joined) counts.joins += 1;
    return ticket.result.catch((error: unknown) => {
      if (context.signal.aborted) throw new DeadlineError(`the Mount's deadline passed while waiting for store "${store}"`);
      throw error;
    });
  }

  #stateOf(backend: Backend): StoreState {
    const known = this.#stores.get(backend.store);
    if (known) return known;
    const queue = createStoreQueue({
      backend,
      metrics: this.#metrics,
      clock: this.#clock,
      maxConcurrent: Math.max(1, this.#options.maxConcurrentFetches),
      maxPerIdentity: this.#options.maxConcurrentFetchesPerIdentity ?? Math.max(1, Math.ceil(this.#options.maxConcurrentFetches / 4)),
      retry: this.#options.retry ?? DEFAULT_RETRY_POLICY,
      random: this.#options.random ?? Math.random,
    });
    // A shared call older than the whole retry budget plus one call's timeout is hung: nobody joins it any more.
    const retry = this.#options.retry ?? DEFAULT_RETRY_POLICY;
    const flights = new SingleFlight<FetchResult>({ maxJoinAgeMs: retry.budgetMs + HUNG_CALL_MARGIN_MS, now: () => this.#clock.now() });
    const state: StoreState = { queue, flights, generation: 0 };
    this.#stores.set(backend.store, state);
    backend.onInvalidate?.(() => {
      state.generation += 1;
      state.flights.forget();
      this.cache.dropStore(backend.store);
      this.#negative.clear();
    });
    return state;
  }
}
