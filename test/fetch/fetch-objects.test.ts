import test from 'ava';
import type { Backend, FetchContext, FetchRequest } from '../../src/stores/backend.ts';
import { AuthError } from '../../src/errors/courier-error.ts';
import { createObjectFetcher } from '../../src/fetch/fetch-objects.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import type { ObjectSpec } from '../../src/spc/types.ts';

const context: FetchContext = { signal: new AbortController().signal, pod: { name: 'p', namespace: 'team-a', uid: 'u', serviceAccount: 'web' }, tokens: new Map() };

function object(index: number, locator: string, store: string = 'aws-sm'): ObjectSpec {
  return { id: `objects[${index}]`, store, locator, storeParams: {}, path: `f${index}`, mode: 0o644, encoding: 'utf-8', optional: false };
}

/** A store whose identity depends on the locator's prefix, that fails identities named in `deny`, and records its calls. */
function storeWith(deny: Record<string, number>, calls: string[][]): Backend {
  return {
    store: 'aws-sm',
    maxBatchSize: 2,
    identityKey: async (request: FetchRequest) => {
      const delay = deny[request.locator];
      if (delay !== undefined) {
        await new Promise((resolve) => setTimeout(resolve, delay));
        throw new AuthError(`no role for ${request.locator}`);
      }
      return request.locator.split('/')[0] ?? '';
    },
    fetch: (requests) => {
      calls.push(requests.map((request) => request.locator));
      return Promise.resolve(requests.map((request) => ({ ok: true as const, contents: new TextEncoder().encode(request.locator), version: '1' })));
    },
  };
}

test('asks the store once per distinct request, in batches per identity of at most the batch size', async (t) => {
  const calls: string[][] = [];
  const fetcher = createObjectFetcher(new Map([['aws-sm', storeWith({}, calls)]]), createMetrics());
  const objects = [object(0, 'a/1'), object(1, 'a/2'), object(2, 'a/1'), object(3, 'a/3'), object(4, 'b/1')];
  const results = await fetcher.fetchObjects(objects, context);
  t.deepEqual(calls, [['a/1', 'a/2'], ['a/3'], ['b/1']]);
  t.is(results.get(objects[2] as ObjectSpec), results.get(objects[0] as ObjectSpec));
});

test('an identity that cannot be resolved fails with the first such object in plan order, named', async (t) => {
  const calls: string[][] = [];
  // objects[1] fails later than objects[3]; the error still names objects[1].
  const fetcher = createObjectFetcher(new Map([['aws-sm', storeWith({ 'x/1': 30, 'y/1': 1 }, calls)]]), createMetrics());
  const objects = [object(0, 'a/1'), object(1, 'x/1'), object(2, 'a/2'), object(3, 'y/1')];
  const error = await t.throwsAsync(fetcher.fetchObjects(objects, context));
  t.is(error?.message, 'objects[1]: no role for x/1');
  t.deepEqual(calls, []);
});

test('a store that knows identities at once (a string, or a throw) mixes with one that looks them up: same calls, same first failure named', async (t) => {
  const calls: string[][] = [];
  const looked = storeWith({ 'x/1': 5 }, calls);
  // The same store answering without a promise: its identity is the locator's prefix, and "z/" has none.
  const atOnce: Backend = {
    ...storeWith({}, calls),
    store: 'file',
    identityKey: (request) => {
      if (request.locator.startsWith('z/')) throw new AuthError(`no identity for ${request.locator}`);
      return request.locator.split('/')[0] ?? '';
    },
  };
  const fetcher = createObjectFetcher(new Map([['aws-sm', looked], ['file', atOnce]]), createMetrics());
  const ok = await fetcher.fetchObjects([object(0, 'a/1', 'file'), object(1, 'a/2'), object(2, 'b/1', 'file')], context);
  t.deepEqual(calls, [['a/1'], ['a/2'], ['b/1']], 'one call per store and identity');
  t.true([...ok.values()].every((result) => result.ok));
  calls.length = 0;
  // Alone, a store that answers at once fetches the same way.
  await fetcher.fetchObjects([object(0, 'a/1', 'file'), object(1, 'a/3', 'file')], context);
  t.deepEqual(calls, [['a/1', 'a/3']]);
  // A throw is a failure like a rejection: the first failing object in plan order is named, even when a later one fails first.
  const error = await t.throwsAsync(fetcher.fetchObjects([object(0, 'a/1', 'file'), object(1, 'x/1'), object(2, 'z/1', 'file')], context));
  t.is(error?.message, 'objects[1]: no role for x/1');
  const thrown = await t.throwsAsync(fetcher.fetchObjects([object(0, 'z/2', 'file')], context));
  t.is(thrown?.message, 'objects[0]: no identity for z/2');
});

test('an object of a store that is not enabled fails before any identity is resolved', async (t) => {
  const calls: string[][] = [];
  const fetcher = createObjectFetcher(new Map([['aws-sm', storeWith({}, calls)]]), createMetrics());
  const error = await t.throwsAsync(fetcher.fetchObjects([object(0, 'a/1'), object(1, 'demo/x', 'file')], context));
  t.is(error?.message, 'objects[1].source: store "file" is not enabled on this Courier');
  t.deepEqual(calls, []);
});

test('objects that ask for the same thing share one identity lookup; a failing one is named by its first object', async (t) => {
  const calls: string[][] = [];
  const lookups: string[] = [];
  const backend = storeWith({ 'x/1': 1 }, calls);
  const counted: Backend = { ...backend, identityKey: (request, lookupContext) => (lookups.push(request.locator), backend.identityKey(request, lookupContext)) };
  const fetcher = createObjectFetcher(new Map([['aws-sm', counted]]), createMetrics());
  const many = Array.from({ length: 250 }, (_, index) => object(index, 'a/1'));
  const results = await fetcher.fetchObjects([...many, object(250, 'a/2')], context);
  t.deepEqual(lookups, ['a/1', 'a/2']);
  t.deepEqual(calls, [['a/1', 'a/2']]);
  t.is(results.size, 251);
  lookups.length = 0;
  const error = await t.throwsAsync(fetcher.fetchObjects([object(0, 'a/1'), object(1, 'x/1'), object(2, 'a/1'), object(3, 'x/1')], context));
  t.is(error?.message, 'objects[1]: no role for x/1');
  t.deepEqual(lookups, ['a/1', 'x/1']);
});

test('the same objects fetched for pods of different identities, one after another, are batched and answered under each pod\'s own identity', async (t) => {
  const asked: Array<[string, string[]]> = [];
  const values = new Map([['web', 'w'], ['api', 'a']]);
  const store: Backend = {
    store: 'aws-sm',
    maxBatchSize: 2,
    identityKey: (_request, { pod }) => Promise.resolve(pod.serviceAccount),
    fetch: (requests, { pod }) => {
      asked.push([pod.serviceAccount, requests.map((request) => request.locator)]);
      return Promise.resolve(requests.map((request) => ({ ok: true as const, contents: new TextEncoder().encode(`${values.get(pod.serviceAccount)}:${request.locator}`), version: '1' })));
    },
  };
  const fetcher = createObjectFetcher(new Map([['aws-sm', store]]), createMetrics(), (backend, identity, requests, callContext) => {
    t.is(identity, callContext.pod.serviceAccount, 'each call is made under the identity of the pod it is for');
    return backend.fetch(requests, callContext);
  });
  // One planned object list, as a cached plan hands it over Mount after Mount.
  const objects = [object(0, 'db/1'), object(1, 'db/2'), object(2, 'db/3')];
  const as = (serviceAccount: string) => ({ ...context, pod: { ...context.pod, serviceAccount } });
  const read = async (serviceAccount: string) => {
    const results = await fetcher.fetchObjects(objects, as(serviceAccount));
    return objects.map((planned) => {
      const result = results.get(planned);
      return result?.ok ? new TextDecoder().decode(result.contents) : 'failed';
    });
  };
  t.deepEqual(await read('web'), ['w:db/1', 'w:db/2', 'w:db/3']);
  t.deepEqual(await read('api'), ['a:db/1', 'a:db/2', 'a:db/3']);
  t.deepEqual(await read('web'), ['w:db/1', 'w:db/2', 'w:db/3']);
  t.deepEqual(await read('web'), ['w:db/1', 'w:db/2', 'w:db/3']);
  t.deepEqual(asked, [['web', ['db/1', 'db/2']], ['web', ['db/3']], ['api', ['db/1', 'db/2']], ['api', ['db/3']], ['web', ['db/1', 'db/2']], ['web', ['db/3']], ['web', ['db/1', 'db/2']], ['web', ['db/3']]]);
});
