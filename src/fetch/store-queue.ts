/** One store's call queue: a concurrency limit shared fairly between identities, batches built from whatever waits, and retries with backoff. */
import type { Backend, FetchContext, FetchRequest, FetchResult } from '../stores/backend.ts';
import { CourierError, DeadlineError, ThrottledError } from '../errors/courier-error.ts';
import { codeName } from '../errors/to-grpc-status.ts';
import type { Metrics } from '../observability/metrics.ts';
import { whenAllAborted, type Clock } from './clock.ts';
import { exhaustedError, retryDelay, retryReason, type RetryPolicy, type RetryReason } from './retry-policy.ts';

/** What a store queue runs with. */
export interface StoreQueueOptions {
  readonly backend: Backend;
  /** Store calls in flight at once; the rest wait in the queue. */
  readonly maxConcurrent: number;
  /** Store calls in flight at once for one identity (default: maxConcurrent), so one identity cannot take every slot. */
  readonly maxPerIdentity?: number;
  readonly retry: RetryPolicy;
  readonly clock: Clock;
  readonly random: () => number;
  readonly metrics: Metrics;
}

/** A store behind a queue. */
export interface StoreQueue {
  /**
   * Fetches one request as `identity`, in a batch with other queued requests of the same identity.
   * `context.signal` takes the request out of the queue (or its retry wait) when it aborts.
   * Resolves with the final result once retries are done.
   */
  fetch(identity: string, request: FetchRequest, context: FetchContext): Promise<FetchResult>;
  /** Requests waiting for a free slot. */
  depth(): number;
}

interface Item {
  readonly identity: string;
  readonly request: FetchRequest;
  readonly context: FetchContext;
  readonly resolve: (result: FetchResult) => void;
  readonly reject: (error: unknown) => void;
  readonly startedAt: number;
  attempts: number;
  onAbort?: () => void;
}

/** A request whose result is worth asking again for. */
interface Retry {
  readonly item: Item;
  readonly error: CourierError;
  readonly reason: RetryReason;
}

/** Creates the queue of one store. */
export function createStoreQueue(options: StoreQueueOptions): StoreQueue {
  return new StoreCallQueue(options);
}

class StoreCallQueue implements StoreQueue {
  readonly #options: StoreQueueOptions;
  readonly #store: string;
  readonly #maxBatch: number;
  readonly #maxPerIdentity: number;
  /** Waiting requests, one FIFO per identity. */
  readonly #waiting = new Map<string, Item[]>();
  /** Identities with waiting requests, in the order they get their next turn (round-robin). */
  readonly #turns: string[] = [];
  readonly #activeBy = new Map<string, number>();
  #active = 0;
  #depth = 0;
  #turnScheduled = false;

  constructor(options: StoreQueueOptions) {
    this.#options = options;
    this.#store = options.backend.store;
    this.#maxBatch = Math.max(1, options.backend.maxBatchSize);
    this.#maxPerIdentity = Math.max(1, Math.min(options.maxConcurrent, options.maxPerIdentity ?? options.maxConcurrent));
  }

  fetch(identity: string, request: FetchRequest, context: FetchContext): Promise<FetchResult> {
    return new Promise<FetchResult>((resolve, reject) => {
      this.#enqueue({ identity, request, context, resolve, reject, startedAt: this.#options.clock.now(), attempts: 0 });
    });
  }

  depth(): number {
    return this.#depth;
  }

  #enqueue(item: Item): void {
    const signal = item.context.signal;
    if (signal.aborted) return item.reject(this.#deadline());
    item.onAbort = () => {
      this.#remove(item);
      this.#gauge();
      item.reject(this.#deadline());
    };
    signal.addEventListener('abort', item.onAbort, { once: true });
    const queue = this.#waiting.get(item.identity);
    if (queue) queue.push(item);
    else {
      this.#waiting.set(item.identity, [item]);
      this.#turns.push(item.identity);
    }
    this.#depth += 1;
    this.#gauge();
    if (this.#turnScheduled) return;
    this.#turnScheduled = true;
    // Requests that arrive in the same turn of the event loop (one Mount's objects, Mounts read
    // off the socket together) go out as one batch. A longer, timed window was measured and
    // dropped: it never saved a store call (docs/caching.md).
    setImmediate(() => {
      this.#turnScheduled = false;
      this.#pump();
    });
  }

  #remove(item: Item): void {
    const queue = this.#waiting.get(item.identity);
    const index = queue?.indexOf(item) ?? -1;
    if (!queue || index < 0) return;
    queue.splice(index, 1);
    this.#depth -= 1;
    if (queue.length === 0) this.#forget(item.identity);
  }

  #forget(identity: string): void {
    this.#waiting.delete(identity);
    const turn = this.#turns.indexOf(identity);
    if (turn >= 0) this.#turns.splice(turn, 1);
  }

  #pump(): void {
    while (this.#active < this.#options.maxConcurrent) {
      const next = this.#takeBatch();
      if (!next) break;
      const { identity, batch } = next;
      this.#active += 1;
      this.#activeBy.set(identity, (this.#activeBy.get(identity) ?? 0) + 1);
      void this.#call(batch)
        .catch((error: unknown) => batch.forEach((item) => item.reject(error)))
        .finally(() => {
          this.#active -= 1;
          const left = (this.#activeBy.get(identity) ?? 1) - 1;
          if (left === 0) this.#activeBy.delete(identity);
          else this.#activeBy.set(identity, left);
          this.#pump();
        });
    }
    this.#gauge();
  }

  /**
   * The oldest requests of the next identity in turn that is under its share of the slots, up to
   * the batch size; that identity then goes to the back of the line. So one identity whose calls
   * hang or crawl holds at most `maxPerIdentity` slots, and every other identity keeps being served.
   */
  #takeBatch(): { identity: string; batch: Item[] } | undefined {
    const turn = this.#turns.findIndex((identity) => (this.#activeBy.get(identity) ?? 0) < this.#maxPerIdentity);
    if (turn < 0) return undefined;
    const identity = this.#turns[turn] as string;
    const queue = this.#waiting.get(identity) as Item[];
    const batch = queue.splice(0, this.#maxBatch);
    this.#depth -= batch.length;
    this.#turns.splice(turn, 1);
    if (queue.length > 0) this.#turns.push(identity);
    else this.#waiting.delete(identity);
    for (const item of batch) if (item.onAbort) item.context.signal.removeEventListener('abort', item.onAbort);
    return { identity, batch };
  }

  async #call(batch: Item[]): Promise<void> {
    const { backend, metrics } = this.#options;
    const store = this.#store;
    // One call answers several Mounts: it stops only when none of them is waiting any more.
    const signal = whenAllAborted(batch.map((item) => item.context.signal));
    const context: FetchContext = { ...(batch[0] as Item).context, signal };
    for (const item of batch) item.attempts += 1;
    let results: FetchResult[];
    try {
      results = await backend.fetch(batch.map((item) => item.request), context);
      if (results.length !== batch.length) throw new Error(`store ${store} answered ${results.length} of ${batch.length} requests`);
    } catch (error) {
      if (!(error instanceof CourierError)) {
        metrics.storeCalls.inc({ store, operation: 'fetch', outcome: 'internal' });
        for (const item of batch) item.reject(error);
        return;
      }
      results = batch.map(() => ({ ok: false, error }));
    }
    const failed = results.find((result) => !result.ok);
    metrics.storeCalls.inc({ store, operation: 'fetch', outcome: failed && !failed.ok ? codeName(failed.error.grpcCode).toLowerCase() : 'ok' });
    const retries: Retry[] = [];
    results.forEach((result, index) => {
      const item = batch[index] as Item;
      const reason = retryReason(result);
      if (reason && !result.ok) retries.push({ item, error: result.error, reason });
      else item.resolve(result);
    });
    if (retries.length > 0) this.#scheduleRetries(retries);
  }

  /** Waits once for the affected requests (the longest Retry-After among them), then queues them again. */
  #scheduleRetries(retries: readonly Retry[]): void {
    const { retry, clock, random, metrics } = this.#options;
    const retryAfter = Math.max(...retries.map(({ error }) => (error instanceof ThrottledError ? (error.retryAfterMs ?? 0) : 0)));
    const attempt = Math.max(...retries.map(({ item }) => item.attempts));
    const delay = retryDelay(retry, attempt, retryAfter > 0 ? retryAfter : undefined, random);
    const now = clock.now();
    const waiting: Item[] = [];
    for (const { item, error, reason } of retries) {
      if (item.attempts >= retry.maxAttempts || now + delay - item.startedAt > retry.budgetMs) {
        item.resolve({ ok: false, error: exhaustedError(this.#store, error, item.attempts) });
      } else {
        metrics.fetchRetries.inc({ store: this.#store, reason });
        waiting.push(item);
      }
    }
    if (waiting.length === 0) return;
    clock.sleep(delay, whenAllAborted(waiting.map((item) => item.context.signal))).then(
      () => waiting.forEach((item) => this.#enqueue(item)),
      () => waiting.forEach((item) => item.reject(this.#deadline())),
    );
  }

  #gauge(): void {
    this.#options.metrics.fetchQueueDepth.set({ store: this.#store }, this.#depth);
  }

  #deadline(): DeadlineError {
    return new DeadlineError(`the Mount's deadline passed while waiting for store "${this.#store}"`);
  }
}
