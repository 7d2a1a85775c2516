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
 * puts in front of a backend. Must return one result per request, in order: at once when it has them
 * all (from memory), so that a warm Mount waits on no promise for them.
 */
export type BatchFetch = (backend: Backend, identity: string, requests: readonly FetchRequest[], context: FetchContext) => FetchResult[] | Promise<FetchResult[]>;

/** Objects that ask one store for the same thing. */
interface Request {
  readonly backend: Backend;
  readonly request: FetchRequest;
  readonly objects: readonly ObjectSpec[];
}

/** Objects that ask one store, under one identity, for the same thing. */
interface Group extends Request {
  readonly identity: string;
}

/** One store call: the groups it answers, and their requests in the same order. */
interface StoreCall {
  readonly groups: readonly Group[];
  readonly requests: readonly FetchRequest[];
}

/** A planned object list's distinct requests, and the store calls made of them for the identities last seen. */
interface Grouping {
  readonly requests: readonly Request[];
  last?: { readonly identities: readonly string[]; readonly calls: readonly StoreCall[] };
}

/**
 * Groups objects by store and identity, asks each store once per distinct request (in batches of
 * the store's size), and maps the answers back to every object that asked. Throws DeadlineError
 * naming the objects still pending when the Mount's signal fires first.
 */
export function createObjectFetcher(backends: BackendRegistry, metrics: Metrics, batchFetch: BatchFetch = callBackend): ObjectFetcher {
  // A cached plan's objects come back Mount after Mount: their grouping by request is made once, and their
  // store calls once per set of identities (the same Mount after Mount for the pods of one identity).
  const groupings = new WeakMap<readonly ObjectSpec[], Grouping>();
  const groupingOf = (objects: readonly ObjectSpec[]): Grouping => {
    let grouping = groupings.get(objects);
    if (grouping === undefined) {
      grouping = { requests: distinctRequests(objects, backends) };
      groupings.set(objects, grouping);
    }
    return grouping;
  };
  /** Puts one store call's answers into `results` for every object that asked, and counts them. */
  const record = ({ groups }: StoreCall, answers: readonly FetchResult[], results: Map<ObjectSpec, FetchResult>) => {
    // Counted once per outcome and batch: a metric update costs more than the rest of a cached object's fetch.
    let ok = 0;
    let failed: Map<string, number> | undefined;
    for (let index = 0; index < groups.length; index += 1) {
      const answer = answers[index] as FetchResult;
      if (answer.ok) ok += 1;
      else {
        const outcome = codeName(answer.error.grpcCode).toLowerCase();
        failed ??= new Map();
        failed.set(outcome, (failed.get(outcome) ?? 0) + 1);
      }
      const asking = (groups[index] as Group).objects;
      for (let object = 0; object < asking.length; object += 1) results.set(asking[object] as ObjectSpec, answer);
    }
    const store = (groups[0] as Group).backend.store;
    if (ok > 0) metrics.backendRequests.inc({ store, operation: 'fetch', outcome: 'ok' }, ok);
    for (const [outcome, count] of failed ?? []) metrics.backendRequests.inc({ store, operation: 'fetch', outcome }, count);
  };
  /** Makes the store calls; what is left to wait for, or nothing when every call answered at once. */
  const fetchCalls = (calls: readonly StoreCall[], results: Map<ObjectSpec, FetchResult>, context: FetchContext): Promise<unknown> | undefined => {
    let waits: Array<Promise<void>> | undefined;
    for (let index = 0; index < calls.length; index += 1) {
      const call = calls[index] as StoreCall;
      const first = call.groups[0] as Group;
      const answers = fetchBatch(batchFetch, first.backend, first.identity, call.requests, context);
      if (Array.isArray(answers)) record(call, answers, results);
      else (waits ??= []).push(answers.then((arrived) => record(call, arrived, results)));
    }
    return waits && Promise.all(waits);
  };
  return {
    async fetchObjects(objects, context) {
      const results = new Map<ObjectSpec, FetchResult>();
      if (context.signal.aborted) throw deadlineError(objects);
      const grouping = groupingOf(objects);
      const identities = identitiesOf(grouping.requests, context);
      const work = identities instanceof Promise ? identities.then((resolved) => fetchCalls(storeCalls(grouping, resolved), results, context)) : fetchCalls(storeCalls(grouping, identities), results, context);
      if (work !== undefined) await untilAborted(work, context.signal, () => deadlineError(objects.filter((object) => !results.has(object))));
      return results;
    },
  };
}

/** The plain store call, used when no caching layer is in front. */
export const callBackend: BatchFetch = (backend, _identity, requests, context) => backend.fetch(requests, context);

/** One store call's answers, at once when the call answered at once; a CourierError fails each of its requests. */
function fetchBatch(batchFetch: BatchFetch, backend: Backend, identity: string, requests: readonly FetchRequest[], context: FetchContext): FetchResult[] | Promise<FetchResult[]> {
  let answers: FetchResult[] | Promise<FetchResult[]>;
  try {
    answers = batchFetch(backend, identity, requests, context);
  } catch (error) {
    return failedBatch(error, requests);
  }
  if (Array.isArray(answers)) return checkedBatch(answers, backend, requests);
  return answers.then(
    (arrived) => checkedBatch(arrived, backend, requests),
    (error: unknown) => failedBatch(error, requests),
  );
}

function checkedBatch(answers: FetchResult[], backend: Backend, requests: readonly FetchRequest[]): FetchResult[] {
  if (answers.length !== requests.length) throw new Error(`store ${backend.store} answered ${answers.length} of ${requests.length} requests`);
  return answers;
}

/** A store call that failed as a whole: its CourierError is each request's; anything else is a bug and thrown on. */
function failedBatch(error: unknown, requests: readonly FetchRequest[]): FetchResult[] {
  if (!(error instanceof CourierError)) throw error;
  return requests.map(() => ({ ok: false, error }));
}

/**
 * One request per (store, request) in the order each first appears, with the objects that ask it;
 * refuses stores this Courier has not enabled.
 */
function distinctRequests(objects: readonly ObjectSpec[], backends: BackendRegistry): Request[] {
  // By store, then by request key: the keys are remembered with each planned object's request.
  const byStore = new Map<string, Map<string, Request & { readonly objects: ObjectSpec[] }>>();
  const distinct: Request[] = [];
  for (const object of objects) {
    const backend = backends.get(object.store);
    if (!backend) {
      throw new ConfigError(`store "${object.store}" is not enabled on this Courier`, { field: `${object.id}.source` });
    }
    const request = toFetchRequest(object);
    const key = requestKey(request);
    const requests = byStore.get(object.store) ?? new Map<string, Request & { readonly objects: ObjectSpec[] }>();
    byStore.set(object.store, requests);
    const known = requests.get(key);
    if (known) known.objects.push(object);
    else {
      const group = { backend, request, objects: [object] };
      requests.set(key, group);
      distinct.push(group);
    }
  }
  return distinct;
}

/**
 * Each request's identity: objects that ask a store for the same thing share one identity lookup (a class
 * of 250 extractions from one secret makes one). An identity that cannot be resolved fails the objects
 * that need it, with the first of them named. When every store answers at once, so does this.
 */
function identitiesOf(requests: readonly Request[], context: FetchContext): readonly string[] | Promise<readonly string[]> {
  const answers: Array<string | Promise<string>> = [];
  let waiting = false;
  for (let index = 0; index < requests.length; index += 1) {
    const { backend, request } = requests[index] as Request;
    let answer: string | Promise<string>;
    try {
      answer = backend.identityKey(request, context);
    } catch (error) {
      answer = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    if (typeof answer !== 'string') waiting = true;
    answers.push(answer);
  }
  return waiting ? settled(requests, answers) : (answers as string[]);
}

/** The identities once all have resolved: a failure is reported for the first failing object in plan order. */
async function settled(requests: readonly Request[], answers: ReadonlyArray<string | Promise<string>>): Promise<string[]> {
  // Identities resolve concurrently; the first failing object in plan order is the first object of the
  // first failing request (requests are in the order they first appear).
  const identities = await Promise.allSettled(answers.map((answer) => Promise.resolve(answer)));
  return identities.map((identity, index) => {
    if (identity.status === 'rejected') {
      throw identity.reason instanceof CourierError ? withField(identity.reason, ((requests[index] as Request).objects[0] as ObjectSpec).id) : identity.reason;
    }
    return identity.value;
  });
}

/** The store calls for these identities: those of the last Mount when its identities were the same. */
function storeCalls(grouping: Grouping, identities: readonly string[]): readonly StoreCall[] {
  const last = grouping.last;
  if (last !== undefined && sameStrings(last.identities, identities)) return last.calls;
  const groups = grouping.requests.map((request, index) => ({ ...request, identity: identities[index] as string }));
  const calls = batches(groups).map((batch) => ({ groups: batch, requests: batch.map((group) => group.request) }));
  grouping.last = { identities, calls };
  return calls;
}

function sameStrings(one: readonly string[], other: readonly string[]): boolean {
  if (one.length !== other.length) return false;
  for (let index = 0; index < one.length; index += 1) if (one[index] !== other[index]) return false;
  return true;
}

/** Splits groups into store calls: same store and identity, at most maxBatchSize each. */
function batches(groups: readonly Group[]): Group[][] {
  const byIdentity = new Map<Backend, Map<string, Group[]>>();
  const lists: Group[][] = [];
  for (const group of groups) {
    const identities = byIdentity.get(group.backend) ?? new Map<string, Group[]>();
    byIdentity.set(group.backend, identities);
    const list = identities.get(group.identity);
    if (list) list.push(group);
    else {
      const created = [group];
      identities.set(group.identity, created);
      lists.push(created);
    }
  }
  const result: Group[][] = [];
  for (const list of lists) {
    const size = Math.max(1, list[0]?.backend.maxBatchSize ?? 1);
    if (list.length <= size) result.push(list);
    else for (let start = 0; start < list.length; start += size) result.push(list.slice(start, start + size));
  }
  return result;
}

function deadlineError(pending: readonly ObjectSpec[]): DeadlineError {
  const ids = pending.map((object) => object.id);
  return new DeadlineError(`the Mount's deadline passed with ${ids.length} object(s) still being fetched: ${ids.join(', ')}`);
}
