/** Fetches a plan's objects: grouped by store, one request per distinct secret, inside the Mount's deadline. */
import type { Backend, BackendRegistry, FetchContext, FetchRequest, FetchResult } from '../backends/backend.ts';
import { ConfigError, CourierError, DeadlineError } from '../errors/courier-error.ts';
import { codeName } from '../errors/to-grpc-status.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { ObjectSpec, StoreName } from '../spc/types.ts';
import { requestKey, toFetchRequest } from './request-key.ts';

/** Turns a plan's objects into store results; the seam the caching layer wraps. */
export interface ObjectFetcher {
  fetchObjects(objects: readonly ObjectSpec[], context: FetchContext): Promise<ReadonlyMap<ObjectSpec, FetchResult>>;
}

/** Calls a store for one batch of distinct requests; what the caching layer puts in front of a backend. */
export type BatchFetch = (backend: Backend, requests: readonly FetchRequest[], context: FetchContext) => Promise<FetchResult[]>;

/**
 * Groups objects by store, asks each store once per distinct request, and maps the answers back
 * to every object that asked. Throws DeadlineError naming the objects still pending when the
 * Mount's signal fires first.
 */
export function createObjectFetcher(backends: BackendRegistry, metrics: Metrics, batchFetch: BatchFetch = callBackend): ObjectFetcher {
  return {
    async fetchObjects(objects, context) {
      const groups = groupByStore(objects, backends);
      const pending = new Set(objects);
      const results = new Map<ObjectSpec, FetchResult>();
      const work = [...groups].map(async ([store, keyed]) => {
        const backend = backends.get(store);
        if (!backend) throw new Error(`no backend for ${store}`);
        const keys = [...keyed.keys()];
        const requests = keys.map((key) => toFetchRequest(keyed.get(key)?.[0] as ObjectSpec));
        const answers = await fetchBatch(batchFetch, backend, requests, context);
        keys.forEach((key, index) => {
          const answer = answers[index] as FetchResult;
          metrics.backendRequests.inc({ store, operation: 'fetch', outcome: answer.ok ? 'ok' : codeName(answer.error.grpcCode).toLowerCase() });
          for (const object of keyed.get(key) ?? []) {
            results.set(object, answer);
            pending.delete(object);
          }
        });
      });
      await raceDeadline(Promise.all(work), context.signal, pending);
      return results;
    },
  };
}

/** The plain store call, used when no caching layer is in front. */
export const callBackend: BatchFetch = (backend, requests, context) => backend.fetch(requests, context);

async function fetchBatch(batchFetch: BatchFetch, backend: Backend, requests: readonly FetchRequest[], context: FetchContext): Promise<FetchResult[]> {
  try {
    const answers = await batchFetch(backend, requests, context);
    if (answers.length !== requests.length) throw new Error(`store ${backend.store} answered ${answers.length} of ${requests.length} requests`);
    return answers;
  } catch (error) {
    if (!(error instanceof CourierError)) throw error;
    return requests.map(() => ({ ok: false, error }));
  }
}

/** Objects by store, then by request key; refuses stores this Courier has not enabled. */
function groupByStore(objects: readonly ObjectSpec[], backends: BackendRegistry): Map<StoreName, Map<string, ObjectSpec[]>> {
  const groups = new Map<StoreName, Map<string, ObjectSpec[]>>();
  for (const object of objects) {
    if (!backends.has(object.store)) {
      throw new ConfigError(`store "${object.store}" is not enabled on this Courier${object.store === 'file' ? ' (start it with --local-store DIR)' : ''}`, { field: `${object.id}.source` });
    }
    const byKey = groups.get(object.store) ?? new Map<string, ObjectSpec[]>();
    groups.set(object.store, byKey);
    const key = requestKey(toFetchRequest(object));
    byKey.set(key, [...(byKey.get(key) ?? []), object]);
  }
  return groups;
}

async function raceDeadline<T>(work: Promise<T>, signal: AbortSignal, pending: ReadonlySet<ObjectSpec>): Promise<T> {
  if (signal.aborted) throw deadlineError(pending);
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(deadlineError(pending));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, aborted]);
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}

function deadlineError(pending: ReadonlySet<ObjectSpec>): DeadlineError {
  const ids = [...pending].map((object) => object.id);
  return new DeadlineError(`the Mount's deadline passed with ${ids.length} object(s) still being fetched: ${ids.join(', ')}`);
}
