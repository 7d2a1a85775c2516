/** A test-only store module: registers test doubles (scripted or gated backends) under their own source names. */
import type { Backend } from '../../src/stores/backend.ts';
import { createStoreRegistry, STORE_MODULES, type StoreRegistry } from '../../src/stores/registry.ts';
import type { StoreModule } from '../../src/stores/store-module.ts';

/**
 * A store module named `test-<source>` serving each backend's source name with no checks of its own:
 * the production list of stores stays what it is, and a test double never borrows a production name.
 */
export function testStoreModule(backends: readonly Backend[]): StoreModule {
  return {
    name: `test-${backends.map((backend) => backend.store).join('-')}`,
    title: 'a test double',
    docs: 'test/helpers/test-store-module.ts',
    sources: backends.map((backend) => ({ name: backend.store, locatorHelp: 'anything', enableHint: 'register it in the test' })),
    dialects: [],
    flags: [],
    enabled: () => true,
    start: () => Promise.resolve(backends),
  };
}

/** The production registry plus a test module for every backend whose source it does not know. */
export function registryWith(backends: readonly Backend[]): StoreRegistry {
  const known = createStoreRegistry().catalog.sources;
  const extra = backends.filter((backend) => !known.has(backend.store));
  return createStoreRegistry(extra.length === 0 ? STORE_MODULES : [...STORE_MODULES, testStoreModule(extra)]);
}
