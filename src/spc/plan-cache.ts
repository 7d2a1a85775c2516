/** Remembers recent plans, so the same SecretProviderClass is not parsed again on every Mount; bounded by bytes, keyed by a hash. */
import { createHash } from 'node:crypto';
import { ConfigError } from '../errors/courier-error.ts';
import { planOrThrow } from './plan.ts';
import type { DialectContext } from './store-catalog.ts';
import type { MountPlan } from './types.ts';

/** Plans a Mount like planOrThrow, answering repeated SecretProviderClasses from memory. */
export interface PlanCache {
  /** `tenant` (the pod's namespace) is charged for a plan it adds; no tenant holds more than a quarter of the cache. */
  plan(parameters: Readonly<Record<string, string>>, context: DialectContext, socketDialect?: string, tenant?: string): MountPlan;
  /** Whether `plan` would answer from memory. */
  has(parameters: Readonly<Record<string, string>>, context: DialectContext, socketDialect?: string): boolean;
  /** The plan `plan` would answer from memory (throwing the remembered ConfigError of a class that failed), or undefined; plans nothing. */
  remembered(parameters: Readonly<Record<string, string>>, context: DialectContext, socketDialect?: string): MountPlan | undefined;
}

/** Limits of the cache: at most this many plans, holding at most this many bytes of parameters and plan. */
export interface PlanCacheLimits {
  readonly maxEntries: number;
  readonly maxBytes: number;
}

/** 256 classes and 8 MiB: a node serves far fewer distinct classes, and a hostile one cannot make the cache large. */
export const DEFAULT_PLAN_CACHE_LIMITS: PlanCacheLimits = Object.freeze({ maxEntries: 256, maxBytes: 8 * 1024 * 1024 });

interface Entry {
  readonly value: MountPlan | ConfigError;
  readonly bytes: number;
  /** The tenant that added it; undefined when the caller names none (one tenant: the whole cache is its share). */
  readonly owner: string | undefined;
}

/** The part of the cache one tenant's plans may fill, in entries and bytes: a tenant sending a new class on every Mount evicts only its own. */
const TENANT_SHARE = 0.25;

/** Rough memory of a plan per byte of the parameters it came from (objects, strings, compiled templates). */
const PLAN_BYTES_PER_PARAMETER_BYTE = 4;

/**
 * Creates a bounded cache of plans (least recently used out first). With rotation on, every pod
 * calls Mount about once a minute with the same parameters, and parsing the YAML of `objects` is
 * the costliest step of a Mount on a warm cache. Planning is pure, so a remembered plan is the
 * plan. The key is a SHA-256 of what planning reads: the parameters without a `/` in their key (every
 * key the driver adds per pod has one, tokens included, so they are never held here), the default
 * mode and the socket's dialect; a class that fails planning is remembered with its error. The catalog
 * and budgets are the server's, fixed for the cache's life.
 */
export function createPlanCache(limits: PlanCacheLimits | number = DEFAULT_PLAN_CACHE_LIMITS): PlanCache {
  const { maxEntries, maxBytes } = typeof limits === 'number' ? { ...DEFAULT_PLAN_CACHE_LIMITS, maxEntries: limits } : limits;
  const entries = new Map<string, Entry>();
  const owned = new Map<string | undefined, { entries: number; bytes: number }>();
  let total = 0;
  /** The key added last: a hit on it changes no order. Moving an entry costs the Map a new table now and then, made in the old generation since the Map lives there. */
  let newest: string | undefined;
  const remove = (key: string, entry: Entry) => {
    if (key === newest) newest = undefined;
    entries.delete(key);
    total -= entry.bytes;
    const use = owned.get(entry.owner);
    if (!use) return;
    use.entries -= 1;
    use.bytes -= entry.bytes;
    if (use.entries === 0) owned.delete(entry.owner);
  };
  const add = (key: string, entry: Entry) => {
    entries.set(key, entry);
    newest = key;
    total += entry.bytes;
    const use = owned.get(entry.owner) ?? { entries: 0, bytes: 0 };
    use.entries += 1;
    use.bytes += entry.bytes;
    owned.set(entry.owner, use);
    // Over its share, the tenant's own oldest plans go first; then the oldest of all while over the whole.
    const part = entry.owner === undefined ? 1 : TENANT_SHARE;
    const share = { entries: Math.max(1, Math.floor(maxEntries * part)), bytes: maxBytes * part };
    for (const [oldest, old] of entries) {
      if (use.entries <= share.entries && use.bytes <= share.bytes) break;
      if (old.owner === entry.owner && oldest !== key) remove(oldest, old);
    }
    for (const [oldest, old] of entries) {
      if (entries.size <= maxEntries && total <= maxBytes) break;
      remove(oldest, old);
    }
  };
  /** The remembered plan under `key`, now the most recently used (throwing a remembered error), or undefined. */
  const used = (key: string): MountPlan | undefined => {
    const entry = entries.get(key);
    if (entry === undefined) return undefined;
    if (key !== newest) {
      remove(key, entry);
      add(key, entry);
    }
    return unwrap(entry.value);
  };
  return {
    has(parameters, context, socketDialect) {
      return entries.has(planKey(parameters, context, socketDialect).key);
    },
    remembered(parameters, context, socketDialect) {
      return used(planKey(parameters, context, socketDialect).key);
    },
    plan(parameters, context, socketDialect, tenant) {
      const { key, bytes } = planKey(parameters, context, socketDialect);
      const known = used(key);
      if (known !== undefined) return known;
      const entry = { value: planOrError(parameters, context, socketDialect), bytes: bytes * PLAN_BYTES_PER_PARAMETER_BYTE, owner: tenant };
      // A plan larger than a tenant's share (the whole cache, without tenants) is used once and not kept.
      if (entry.bytes <= maxBytes * (tenant === undefined ? 1 : TENANT_SHARE)) add(key, entry);
      return unwrap(entry.value);
    },
  };
}

function unwrap(value: MountPlan | ConfigError): MountPlan {
  if (value instanceof ConfigError) throw value;
  return value;
}

function planOrError(parameters: Readonly<Record<string, string>>, context: DialectContext, socketDialect: string | undefined): MountPlan | ConfigError {
  try {
    return planOrThrow(parameters, context, socketDialect);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
}

function planKey(parameters: Readonly<Record<string, string>>, context: DialectContext, socketDialect: string | undefined): { key: string; bytes: number } {
  const hash = createHash('sha256').update(JSON.stringify([socketDialect ?? '', context.permission]));
  let bytes = 0;
  for (const key of planned(parameters)) {
    if (key.includes('/')) continue;
    const value = parameters[key] as string;
    // Lengths first, so that no two parameter sets hash the same text; the value is hashed as it is, not copied
    // (as UTF-16, as lengths count: UTF-8 would turn every lone surrogate into the same replacement character).
    hash.update(`${key.length}:${key}${value.length}:`, 'utf16le').update(value, 'utf16le');
    bytes += key.length + value.length;
  }
  return { key: hash.digest('base64'), bytes };
}

/** The parameters' keys with those planning reads (none with a `/`) in code-unit order; the driver sends them sorted already, and then they are not sorted again. */
function planned(parameters: Readonly<Record<string, string>>): string[] {
  const keys = Object.keys(parameters);
  let last: string | undefined;
  for (let index = 0; index < keys.length; index += 1) {
    const key = keys[index] as string;
    if (key.includes('/')) continue;
    if (last !== undefined && last > key) return keys.sort();
    last = key;
  }
  return keys;
}
