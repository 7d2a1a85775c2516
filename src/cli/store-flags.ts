/** The stores' own flags on the command line: declared by each store module, added to `serve` and `mount`, read back into StoresFlags. */
import { Option, type Command } from 'commander';
import type { StoresFlags } from '../stores/start-stores.ts';
import type { FlagSpec, StoreFlags, StoreModule } from '../stores/store-module.ts';

/** `aws-region` → `COURIER_AWS_REGION`. */
export function envName(flag: FlagSpec): string {
  return `COURIER_${flag.name.toUpperCase().replaceAll('-', '_')}`;
}

/** The commander Option of a store flag: `--aws-region <region>`, also read from COURIER_AWS_REGION. */
export function storeOption(flag: FlagSpec): Option {
  return new Option(`--${flag.name}${flag.value === undefined ? '' : ` <${flag.value}>`}`, flag.help).env(envName(flag));
}

/** Adds every store flag of `modules` to `command`. */
export function addStoreFlags(command: Command, modules: readonly StoreModule[]): Command {
  for (const module of modules) for (const flag of module.flags) command.addOption(storeOption(flag));
  return command;
}

/**
 * Reads the store flags back from commander's parsed values, by store. A flag left unset takes its
 * `fallbackEnv` from `env` (the environment at start-up), as the store's SDK would.
 */
export function readStoreFlags(parsed: Readonly<Record<string, unknown>>, modules: readonly StoreModule[], env: Readonly<Record<string, string | undefined>>): StoresFlags {
  const stores: Record<string, StoreFlags> = {};
  for (const module of modules) {
    const values: Record<string, string | boolean> = {};
    for (const flag of module.flags) {
      const raw = parsed[storeOption(flag).attributeName()];
      if (flag.value === undefined) {
        if (raw === true || raw === 'true') values[flag.key] = true;
        continue;
      }
      const value = typeof raw === 'string' && raw !== '' ? raw : flag.fallbackEnv === undefined ? undefined : env[flag.fallbackEnv];
      if (value !== undefined && value !== '') values[flag.key] = value;
    }
    stores[module.name] = Object.freeze(values);
  }
  return Object.freeze(stores);
}
