/** `--preload-stores`: which stores load their client libraries right after the socket is up, so no Mount pays for the load. */
import type { Logger } from '../observability/logger.ts';
import type { BackendRegistry } from './backend.ts';
import type { StoreModule } from './store-module.ts';
import type { StoresFlags } from './start-stores.ts';

/** `auto` (the stores any of whose flags is set), `all`, `none`, or store module names. */
export type PreloadChoice = 'auto' | 'all' | 'none' | readonly string[];

/** Parses the flag's value; throws an Error naming what is wrong (the CLI reports it against the flag). */
export function parsePreloadChoice(value: string, modules: readonly StoreModule[]): PreloadChoice {
  const trimmed = value.trim();
  if (trimmed === 'auto' || trimmed === 'all' || trimmed === 'none') return trimmed;
  const names = trimmed.split(',').map((name) => name.trim()).filter((name) => name !== '');
  const known = modules.map((module) => module.name);
  const unknown = names.filter((name) => !known.includes(name));
  if (names.length === 0 || unknown.length > 0) throw new Error(`"${value}" is not auto, all, none or a list of stores (${known.join(', ')})`);
  return Object.freeze(names);
}

/**
 * The modules to preload. `auto` takes a store whose flags (or their fallback variables) say the
 * cluster uses it (`--aws-region`, `--gcp-project`, `--vault-addr`, ...): a store that is merely always on,
 * like azure without any --azure-* flag, loads with its first object instead, and its memory is
 * not spent on nodes that never read from it.
 */
export function storesToPreload(modules: readonly StoreModule[], flags: StoresFlags, choice: PreloadChoice): StoreModule[] {
  if (choice === 'none') return [];
  if (choice === 'all') return [...modules];
  if (choice === 'auto') return modules.filter((module) => Object.keys(flags[module.name] ?? {}).length > 0);
  return modules.filter((module) => choice.includes(module.name));
}

/** When a preload may run: `busy` counts Mounts in flight; a store loads only after they have been none for `quietMs`. */
export interface PreloadPacing {
  readonly busy: () => number;
  readonly quietMs?: number;
  /** Aborted when the server stops: no store is loaded after that (shutdown has closed them). */
  readonly stopped?: AbortSignal;
}

/** How long no Mount must have run before the next store's libraries load. */
const QUIET_MS = 100;

/**
 * Loads the libraries of `modules`' backends one store after another, in the background. Loading
 * compiles a library on the event loop, so each store waits until no Mount has run for a moment: a
 * Mount that arrives first is not held up by a store it does not use (one that needs a store still
 * loading joins that load). A failure is logged and left to the first Mount, which loads again and
 * reports it to its pod.
 */
export async function preloadStores(modules: readonly StoreModule[], backends: BackendRegistry, logger: Logger, pacing?: PreloadPacing): Promise<void> {
  for (const module of modules) {
    if (pacing !== undefined) await untilQuiet(pacing);
    if (pacing?.stopped?.aborted === true) return;
    const started = performance.now();
    const loads = module.sources.flatMap(({ name }) => {
      const backend = backends.get(name);
      return backend?.preload === undefined ? [] : [backend.preload()];
    });
    if (loads.length === 0) continue;
    try {
      await Promise.all(loads);
      logger.debug({ store: module.name, ms: Math.round(performance.now() - started) }, 'store libraries preloaded');
    } catch (error) {
      logger.warn({ store: module.name, error: error instanceof Error ? error.message : String(error) }, 'store libraries could not be preloaded; the first Mount loads them');
    }
  }
}

async function untilQuiet({ busy, quietMs = QUIET_MS, stopped }: PreloadPacing): Promise<void> {
  const step = Math.max(1, Math.floor(quietMs / 4));
  let quietFor = 0;
  while (quietFor < quietMs && stopped?.aborted !== true) {
    await new Promise((resolve) => setTimeout(resolve, step));
    quietFor = busy() > 0 ? 0 : quietFor + step;
  }
}
