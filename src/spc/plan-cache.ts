/** Remembers recent plans, so the same SecretProviderClass is not parsed again on every Mount; bounded by bytes, keyed by a hash. */
import { createHash } from 'node:crypto';
import { ConfigError } from '../errors/courier-error.ts';
import { planOrThrow } from './plan.ts';
import type { DialectContext } from './store-catalog.ts';
import type { MountPlan } from './types.ts';

/** Plans a Mount like planOrThrow, answering repeated SecretProviderClasses from memory. */
export interface PlanCache {
  plan(parameters: Readonly<Record<string, string>>, context: DialectContext, socketDialect?: string): MountPlan;
  /** Whether `plan` would answer from memory. */
  has(parameters: Readonly<Record<string, string>>, context: DialectContext, socketDialect?: string): boolean;
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
}

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
  let total = 0;
  return {
    has(parameters, context, socketDialect) {
      return entries.has(planKey(parameters, context, socketDialect).key);
    },
    plan(parameters, context, socketDialect) {
      const { key, bytes } = planKey(parameters, context, socketDialect);
      let entry = entries.get(key);
      if (entry === undefined) {
        entry = { value: planOrError(parameters, context, socketDialect), bytes: bytes * PLAN_BYTES_PER_PARAMETER_BYTE };
        // A plan larger than the whole cache is used once and not kept.
        if (entry.bytes > maxBytes) return unwrap(entry.value);
      } else {
        entries.delete(key);
        total -= entry.bytes;
      }
      entries.set(key, entry);
      total += entry.bytes;
      for (const [oldest, old] of entries) {
        if (entries.size <= maxEntries && total <= maxBytes) break;
        entries.delete(oldest);
        total -= old.bytes;
      }
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
  for (const key of Object.keys(parameters).sort()) {
    if (key.includes('/')) continue;
    const value = parameters[key] as string;
    hash.update(JSON.stringify([key, value]));
    bytes += key.length + value.length;
  }
  return { key: hash.digest('base64'), bytes };
}
