/** Builds the stores enabled by the server's options. */
import type { StoreName } from '../spc/types.ts';
import type { Backend, BackendRegistry } from './backend.ts';
import { FileStore } from './file-store.ts';

/** Store settings taken from flags. */
export interface StoreOptions {
  readonly localStore?: string;
}

/** Starts every enabled store; a store whose options are absent is not enabled. */
export async function startBackends(options: StoreOptions): Promise<BackendRegistry> {
  const backends = new Map<StoreName, Backend>();
  if (options.localStore !== undefined) {
    const store = new FileStore(options.localStore);
    await store.start();
    backends.set('file', store);
  }
  return backends;
}

/** Closes every store (watchers, clients, sockets). */
export async function closeBackends(backends: BackendRegistry): Promise<void> {
  await Promise.all([...backends.values()].map(async (backend) => backend.close?.()));
}
