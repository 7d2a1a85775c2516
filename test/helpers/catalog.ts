/** The production store catalog, for tests that plan SecretProviderClasses the way a Courier of this build does. */
import { DEFAULT_BUDGETS } from '../../src/spc/budgets.ts';
import type { DialectContext } from '../../src/spc/store-catalog.ts';
import { createStoreRegistry } from '../../src/stores/registry.ts';

/** The catalog of every production store (file, aws, gcp, ...). */
export const CATALOG = createStoreRegistry().catalog;

/** A planning context with `permission` as the request's default file mode. */
export function planContext(permission: number): DialectContext {
  return { permission, catalog: CATALOG, budgets: DEFAULT_BUDGETS };
}
