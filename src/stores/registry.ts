/** The one list of store modules, and what the rest of Courier derives from it: the planning catalog and the flags. */
import type { CatalogSource, Dialect, StoreCatalog, StoreSettingsSpec } from '../spc/store-catalog.ts';
import { awsStoreModule } from './aws/index.ts';
import { azureStoreModule } from './azure/index.ts';
import { fileStoreModule } from './file/index.ts';
import { gcpStoreModule } from './gcp/index.ts';
import type { StoreModule } from './store-module.ts';
import { vaultStoreModule } from './vault/index.ts';

/** Every store of this build, in the order their sources are listed in messages. Adding a store is one line here. */
export const STORE_MODULES: readonly StoreModule[] = [fileStoreModule, awsStoreModule, gcpStoreModule, vaultStoreModule, azureStoreModule];

/** The store modules a Courier runs with, and the catalog planning reads. */
export interface StoreRegistry {
  readonly modules: readonly StoreModule[];
  readonly catalog: StoreCatalog;
}

/**
 * Builds a registry of `modules` (the production list by default; tests add their own). Throws when
 * two modules claim one source, prefix, flag or dialect: that is a programming error, found at start-up.
 */
export function createStoreRegistry(modules: readonly StoreModule[] = STORE_MODULES): StoreRegistry {
  const sources = new Map<string, CatalogSource>();
  const settings = new Map<string, StoreSettingsSpec>();
  const dialects = new Map<string, Dialect>();
  const claimed = new Map<string, string>();
  const claim = (what: string, by: string) => {
    const earlier = claimed.get(what);
    if (earlier !== undefined) throw new Error(`store modules ${earlier} and ${by} both declare ${what}`);
    claimed.set(what, by);
  };
  for (const module of modules) {
    claim(`store ${module.name}`, module.name);
    for (const source of module.sources) {
      claim(`source ${source.name}`, module.name);
      sources.set(source.name, { ...source, store: module.name, settings: module.settings });
    }
    if (module.settings) {
      claim(`parameter prefix ${module.settings.prefix}`, module.name);
      settings.set(module.name, module.settings);
    }
    for (const dialect of module.dialects) {
      claim(`dialect ${dialect.name}`, module.name);
      dialects.set(dialect.name, dialect);
    }
    for (const flag of module.flags) claim(`flag --${flag.name}`, module.name);
  }
  return { modules, catalog: { sources, settings, dialects } };
}
