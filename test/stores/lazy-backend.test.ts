import test from 'ava';
import type { Backend, FetchContext } from '../../src/stores/backend.ts';
import { lazyBackend } from '../../src/stores/lazy-backend.ts';

const context: FetchContext = { signal: new AbortController().signal, pod: { name: 'p', namespace: 'n', uid: 'u', serviceAccount: 's' }, tokens: new Map() };
const request = { locator: 'x', storeParams: {} };

function realBackend(closed: string[]): Backend {
  return {
    store: 'aws-sm',
    maxBatchSize: 20,
    identityKey: () => Promise.resolve('role'),
    fetch: (requests) => Promise.resolve(requests.map(() => ({ ok: true as const, contents: new Uint8Array([1]), version: 'v1' }))),
    close: () => {
      closed.push('aws-sm');
      return Promise.resolve();
    },
  };
}

test('loads nothing until it is first used, then loads once for concurrent callers', async (t) => {
  let loads = 0;
  const backend = lazyBackend('aws-sm', () => {
    loads += 1;
    return Promise.resolve(realBackend([]));
  });
  t.is(loads, 0);
  t.is(backend.maxBatchSize, 1);
  const [key, results] = await Promise.all([backend.identityKey(request, context), backend.fetch([request], context)]);
  t.is(loads, 1);
  t.is(key, 'role');
  t.deepEqual(results.map((result) => result.ok && result.version), ['v1']);
  t.is(backend.maxBatchSize, 20);
});

test('tries a failed load again on the next call', async (t) => {
  let loads = 0;
  const backend = lazyBackend('aws-sm', () => {
    loads += 1;
    return loads === 1 ? Promise.reject(new Error('cannot load')) : Promise.resolve(realBackend([]));
  });
  await t.throwsAsync(async () => backend.identityKey(request, context), { message: 'cannot load' });
  t.is(await backend.identityKey(request, context), 'role');
  t.is(loads, 2);
});

test('closes the real backend only when it was loaded', async (t) => {
  const closed: string[] = [];
  const unused = lazyBackend('aws-sm', () => Promise.resolve(realBackend(closed)));
  await unused.close?.();
  t.deepEqual(closed, []);
  const used = lazyBackend('aws-sm', () => Promise.resolve(realBackend(closed)));
  await used.identityKey(request, context);
  await used.close?.();
  t.deepEqual(closed, ['aws-sm']);
});
