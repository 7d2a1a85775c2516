/** Fetches a plan's objects: grouped by store and identity, one request per distinct secret, inside the Mount's deadline. */
import type { Backend, BackendRegistry, FetchContext, FetchRequest, FetchResult } from '../stores/backend.ts';
import { ConfigError, CourierError, DeadlineError, withField } from '../errors/courier-error.ts';
import { codeName } from '../errors/to-grpc-status.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { ObjectSpec } from '../spc/types.ts';
import { requestKey, toFetchRequest } from './request-key.ts';
import { untilAborted } from './until-aborted.ts';

/** Turns a plan's objects into store results; the seam the caching layer wraps. */
export interface ObjectFetcher {
  fetchObjects(objects: readonly ObjectSpec[], context: FetchContext): Promise<ReadonlyMap<ObjectSpec, FetchResult>>;
  /** Releases timers and zeroes cached values; the server calls it on shutdown. */
  close?(): void;
}

/**
 * Calls a store for one batch of distinct requests that share `identity`; what a caching layer
 * puts in front of a backend. Must return one result per request, in order.
 */
export type BatchFetch = (backend: Backend, identity: string, requests: readonly FetchRequest[], context: FetchContext) => Promise<FetchResult[]>;

/** Objects that ask one store, under one identity, for the same thing. */
interface Group {
  readonly backend: Backend;
  readonly identity: string;
  readonly request: FetchRequest;
  readonly objects: ObjectSpec[];
}

/**
 * Groups objects by store and identity, asks each store once per distinct request (in batches of
 * the store's size), and maps the answers back to every object that asked. Throws DeadlineError
 * naming the objects still pending when the Mount's signal fires first.
 */
export function createObjectFetcher(backends: BackendRegistry, metrics: Metrics, batchFetch: BatchFetch = callBackend): ObjectFetcher {
  return {
    async fetchObjects(objects, context) {
      const pending = new Set(objects);
      const results = new Map<ObjectSpec, FetchResult>();
      const work = (async () => {
        const groups = await groupObjects(objects, backends, context);
        await Promise.all(
          batches(groups).map(async (batch) => {
            const first = batch[0] as Group;
            const answers = await fetchBatch(batchFetch, first.backend, first.identity, batch.map((group) => group.request), context);
            // Counted once per outcome and batch: a metric update costs more than the rest of a cached object's fetch.
            const outcomes = new Map<string, number>();
            batch.forEach((group, index) => {
              const answer = answers[index] as FetchResult;
              const outcome = answer.ok ? 'ok' : codeName(answer.error.grpcCode).toLowerCase();
              outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
              for (const object of group.objects) {
                results.set(object, answer);
                pending.delete(object);
              }
            });
            for (const [outcome, count] of outcomes) metrics.backendRequests.inc({ store: first.backend.store, operation: 'fetch', outcome }, count);
          }),
        );
      })();
      await untilAborted(work, context.signal, () => deadlineError(pending));
      return results;
    },
  };
}

/** The plain store call, used when no caching layer is in front. */
export const callBackend: BatchFetch = (backend, _identity, requests, context) => backend.fetch(requests, context);

async function fetchBatch(batchFetch: BatchFetch, backend: Backend, identity: string, requests: readonly FetchRequest[], context: FetchContext): Promise<FetchResult[]> {
  try {
    const answers = await batchFetch(backend, identity, requests, context);
    if (answers.length !== requests.length) throw new Error(`store ${backend.store} answered ${answers.length} of ${requests.length} requests`);
    return answers;
  } catch (error) {
    if (!(error instanceof CourierError)) throw error;
    return requests.map(() => ({ ok: false, error }));
  }
}

/**
 * One group per (store, identity, request); refuses stores this Courier has not enabled. Objects that
 * ask a store for the same thing share one identity lookup (a class of 250 extractions from one secret
 * makes one). An identity that cannot be resolved fails the objects that need it, with the first of
 * them named.
 */
async function groupObjects(objects: readonly ObjectSpec[], backends: BackendRegistry, context: FetchContext): Promise<Group[]> {
  // By store, then by request key: the keys are remembered with each planned object's request.
  const byStore = new Map<string, Map<string, Omit<Group, 'identity'>>>();
  const distinct: Array<Omit<Group, 'identity'>> = [];
  for (const object of objects) {
    const backend = backends.get(object.store);
    if (!backend) {
      throw new ConfigError(`store "${object.store}" is not enabled on this Courier`, { field: `${object.id}.source` });
    }
    const request = toFetchRequest(object);
    const key = requestKey(request);
    const requests = byStore.get(object.store) ?? new Map<string, Omit<Group, 'identity'>>();
    byStore.set(object.store, requests);
    const known = requests.get(key);
    if (known) known.objects.push(object);
    else {
      const group = { backend, request, objects: [object] };
      requests.set(key, group);
      distinct.push(group);
    }
  }
  // Identities resolve concurrently; a failure is reported for the first failing object in plan order,
  // which is the first object of the first failing request (requests are in the order they first appear).
  const identities = await Promise.allSettled(distinct.map(({ backend, request }) => backend.identityKey(request, context)));
  return distinct.map((group, index) => {
    const identity = identities[index] as PromiseSettledResult<string>;
    if (identity.status === 'rejected') {
      throw identity.reason instanceof CourierError ? withField(identity.reason, (group.objects[0] as ObjectSpec).id) : identity.reason;
    }
    return { backend: group.backend, identity: identity.value, request: group.request, objects: group.objects };
  });
}

/** Splits groups into store calls: same store and identity, at most maxBatchSize each. */
export function batches(groups: readonly Group[]): Group[][] {
  const byIdentity = new Map<string, Group[]>();
  for (const group of groups) {
    const key = JSON.stringify([group.backend.store, group.identity]);
    const list = byIdentity.get(key);
    if (list) list.push(group);
    else byIdentity.set(key, [group]);
  }
  const result: Group[][] = [];
  for (const list of byIdentity.values()) {
    const size = Math.max(1, list[0]?.backend.maxBatchSize ?? 1);
    for (let start = 0; start < list.length; start += size) result.push(list.slice(start, start + size));
  }
  return result;
}

function deadlineError(pending: ReadonlySet<ObjectSpec>): DeadlineError {
  const ids = [...pending].map((object) => object.id);
  return new DeadlineError(`the Mount's deadline passed with ${ids.length} object(s) still being fetched: ${ids.join(', ')}`);
}
