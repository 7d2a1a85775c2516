/** A store whose client libraries load on first use, so a Courier that never serves it does not pay for them. */
import type { Backend } from './backend.ts';

/**
 * Wraps `load` as a Backend for `store`. The first identityKey or fetch loads the real backend (one
 * load shared by concurrent callers; a failed load is tried again next time). `maxBatchSize` is read
 * from the loaded backend: the fetch layer resolves identity keys, and so loads, before it batches.
 */
export function lazyBackend(store: string, load: () => Promise<Backend>): Backend {
  let loaded: Backend | undefined;
  let loading: Promise<Backend> | undefined;
  const backend = (): Promise<Backend> => {
    loading ??= load().then(
      (real) => (loaded = real),
      (error: unknown) => {
        loading = undefined;
        throw error;
      },
    );
    return loading;
  };
  return {
    store,
    get maxBatchSize() {
      return loaded?.maxBatchSize ?? 1;
    },
    // Once loaded, calls go straight to the real backend: a warm Mount makes one identity lookup per secret.
    identityKey: (request, context) => (loaded ? loaded.identityKey(request, context) : backend().then((real) => real.identityKey(request, context))),
    fetch: (requests, context) => (loaded ? loaded.fetch(requests, context) : backend().then((real) => real.fetch(requests, context))),
    preload: async () => {
      await backend();
    },
    close: async () => {
      if (loading) await (await loading.catch(() => undefined))?.close?.();
    },
  };
}
