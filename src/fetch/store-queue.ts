/** One store's call queue: a concurrency limit, batches built from whatever waits, and retries with backoff. */
import type { Backend, FetchContext, FetchRequest, FetchResult } from '../backends/backend.ts';
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

/** Creates the queue of one store. */
export function createStoreQueue(options: StoreQueueOptions): StoreQueue {
  const { backend, metrics, clock } = options;
  const store = backend.store;
  const maxBatch = Math.max(1, backend.maxBatchSize);
  const queue: Item[] = [];
  let active = 0;
  let turnScheduled = false;
  const gauge = () => metrics.fetchQueueDepth.set({ store }, queue.length);
  const deadline = () => new DeadlineError(`the Mount's deadline passed while waiting for store "${store}"`);

  function enqueue(item: Item): void {
    const signal = item.context.signal;
    if (signal.aborted) return item.reject(deadline());
    const onAbort = () => {
      const index = queue.indexOf(item);
      if (index >= 0) queue.splice(index, 1);
      gauge();
      item.reject(deadline());
    };
    item.onAbort = onAbort;
    signal.addEventListener('abort', onAbort, { once: true });
    queue.push(item);
    gauge();
    if (turnScheduled) return;
    turnScheduled = true;
    // Requests that arrive in the same turn of the event loop (one Mount's objects, Mounts read
    // off the socket together) go out as one batch. A longer, timed window was measured and
    // dropped: it never saved a store call (docs/caching.md).
    setImmediate(() => {
      turnScheduled = false;
      pump();
    });
  }

  function pump(): void {
    while (active < options.maxConcurrent && queue.length > 0) {
      const batch = takeBatch();
      active += 1;
      void call(batch).finally(() => {
        active -= 1;
        pump();
      });
    }
    gauge();
  }

  /** The oldest request and every other queued one of the same identity, up to the batch size. */
  function takeBatch(): Item[] {
    const first = queue.shift() as Item;
    const batch = [first];
    for (let index = 0; index < queue.length && batch.length < maxBatch; ) {
      if ((queue[index] as Item).identity === first.identity) batch.push(...queue.splice(index, 1));
      else index += 1;
    }
    for (const item of batch) if (item.onAbort) item.context.signal.removeEventListener('abort', item.onAbort);
    return batch;
  }

  async function call(batch: Item[]): Promise<void> {
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
    const retries: Array<{ item: Item; error: CourierError; reason: RetryReason }> = [];
    results.forEach((result, index) => {
      const item = batch[index] as Item;
      const reason = retryReason(result);
      if (reason && !result.ok) retries.push({ item, error: result.error, reason });
      else item.resolve(result);
    });
    if (retries.length > 0) scheduleRetries(retries);
  }

  /** Waits once for the affected requests (the longest Retry-After among them), then queues them again. */
  function scheduleRetries(retries: ReadonlyArray<{ item: Item; error: CourierError; reason: RetryReason }>): void {
    const retryAfter = Math.max(...retries.map(({ error }) => (error instanceof ThrottledError ? (error.retryAfterMs ?? 0) : 0)));
    const attempt = Math.max(...retries.map(({ item }) => item.attempts));
    const delay = retryDelay(options.retry, attempt, retryAfter > 0 ? retryAfter : undefined, options.random);
    const now = clock.now();
    const waiting: Item[] = [];
    for (const { item, error, reason } of retries) {
      if (item.attempts >= options.retry.maxAttempts || now + delay - item.startedAt > options.retry.budgetMs) {
        item.resolve({ ok: false, error: exhaustedError(store, error, item.attempts) });
      } else {
        metrics.fetchRetries.inc({ store, reason });
        waiting.push(item);
      }
    }
    if (waiting.length === 0) return;
    clock.sleep(delay, whenAllAborted(waiting.map((item) => item.context.signal))).then(
      () => waiting.forEach(enqueue),
      () => waiting.forEach((item) => item.reject(deadline())),
    );
  }

  return {
    fetch(identity, request, context) {
      return new Promise<FetchResult>((resolve, reject) => {
        enqueue({ identity, request, context, resolve, reject, startedAt: clock.now(), attempts: 0 });
      });
    },
    depth: () => queue.length,
  };
}
