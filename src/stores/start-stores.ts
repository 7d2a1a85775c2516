/** Starts the stores the flags switch on and closes them again; the same for `courier serve` and `courier mount`. */
import type { Backend, BackendRegistry } from './backend.ts';
import type { StoreRegistry } from './registry.ts';
import type { SharedParts, StoreFlags } from './store-module.ts';

/** Flag values of every store, by store module name. */
export type StoresFlags = Readonly<Record<string, StoreFlags>>;

/**
 * Starts every enabled store of the registry; a store whose flags do not switch it on is left off.
 * When one fails to start, those already started are closed before the error is thrown.
 */
export async function startStores(registry: StoreRegistry, flags: StoresFlags, shared: SharedParts): Promise<BackendRegistry> {
  const backends = new Map<string, Backend>();
  try {
    for (const module of registry.modules) {
      const own = flags[module.name] ?? {};
      if (!module.enabled(own)) continue;
      for (const backend of await module.start(own, shared)) backends.set(backend.store, backend);
    }
  } catch (error) {
    await closeStores(backends);
    throw error;
  }
  return backends;
}

/** Closes every store (watchers, clients, sockets). */
export async function closeStores(backends: BackendRegistry): Promise<void> {
  await Promise.all([...backends.values()].map(async (backend) => backend.close?.()));
}
