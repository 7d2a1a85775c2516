/** Remembers recent plans, so the same SecretProviderClass is not parsed again on every Mount. */
import { ConfigError } from '../errors/courier-error.ts';
import type { DialectContext } from './store-catalog.ts';
import { planOrThrow } from './plan.ts';
import type { MountPlan } from './types.ts';

/** Plans a Mount like planOrThrow, answering repeated SecretProviderClasses from memory. */
export interface PlanCache {
  plan(parameters: Readonly<Record<string, string>>, context: DialectContext, socketDialect?: string): MountPlan;
}

/** How many distinct SecretProviderClasses are remembered by default. */
export const DEFAULT_PLAN_CACHE_ENTRIES = 256;

/**
 * Creates a bounded cache of plans (least recently used out first). With rotation on, every pod
 * calls Mount about once a minute with the same parameters, and parsing the YAML of `objects` is
 * the costliest step of a Mount on a warm cache. Planning is pure, so a remembered plan is the
 * plan. The key holds what planning reads: the parameters without a `/` in their key (every key the
 * driver adds per pod has one, tokens included, so they are never held here), the default mode and
 * the socket's dialect. A SecretProviderClass that fails planning is remembered with its error.
 */
export function createPlanCache(maxEntries = DEFAULT_PLAN_CACHE_ENTRIES): PlanCache {
  const entries = new Map<string, MountPlan | ConfigError>();
  return {
    plan(parameters, context, socketDialect) {
      const key = planKey(parameters, context, socketDialect);
      let entry = entries.get(key);
      if (entry === undefined) {
        entry = planOrError(parameters, context, socketDialect);
        if (entries.size >= maxEntries) entries.delete(entries.keys().next().value as string);
      } else {
        entries.delete(key);
      }
      entries.set(key, entry);
      if (entry instanceof ConfigError) throw entry;
      return entry;
    },
  };
}

function planOrError(parameters: Readonly<Record<string, string>>, context: DialectContext, socketDialect: string | undefined): MountPlan | ConfigError {
  try {
    return planOrThrow(parameters, context, socketDialect);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
}

function planKey(parameters: Readonly<Record<string, string>>, context: DialectContext, socketDialect: string | undefined): string {
  const read: string[] = [socketDialect ?? '', String(context.permission)];
  for (const key of Object.keys(parameters)) if (!key.includes('/')) read.push(key, parameters[key] as string);
  return JSON.stringify(read);
}
