/** Chooses the dialect for a request and plans the Mount; pure. */
import { ConfigError } from '../errors/courier-error.ts';
import { DRIVER_KEYS } from './decode-request.ts';
import type { Dialect, DialectContext, StoreCatalog } from './store-catalog.ts';
import { nearestKey } from './fields.ts';
import { planMirror } from './mirror-parameter.ts';
import { nativeDialect } from './native-dialect.ts';
import type { ConfigIssue, MountPlan, PlanResult } from './types.ts';

/** The dialects of a build: the native one and each store's compatibility dialect, in that order. */
export function dialectsOf(catalog: StoreCatalog): ReadonlyMap<string, Dialect> {
  return new Map([['native', nativeDialect(catalog)], ...catalog.dialects]);
}

/** Parameters every dialect accepts: the dialect switch and what the driver adds without a `/`. */
const COMMON_KEYS = ['dialect', 'mirror', DRIVER_KEYS.secretProviderClass];

/**
 * Plans a Mount. The dialect is the SecretProviderClass's `dialect` parameter if set, otherwise the
 * one the socket was opened for (`--compat aws` serves `aws.sock` in the aws dialect).
 */
export function planParameters(parameters: Readonly<Record<string, string>>, context: DialectContext, socketDialect = 'native'): PlanResult {
  const dialects = dialectsOf(context.catalog);
  const requested = parameters['dialect'];
  if (requested !== undefined && !dialects.has(requested)) {
    return fail('dialect', `"${requested}" is not a dialect; expected one of ${[...dialects.keys()].join(', ')}`);
  }
  const name = requested ?? socketDialect;
  const dialect = dialects.get(name);
  if (!dialect) return fail('dialect', `the ${name} dialect is not available in this Courier version`);
  const known = [...COMMON_KEYS, ...dialect.parameterKeys];
  const unknown = Object.keys(parameters).filter((key) => !key.includes('/') && !known.includes(key));
  const unknownIssues: ConfigIssue[] = unknown.map((key) => ({ field: key, message: unknownParameter(key, name, dialect.parameterKeys) }));
  const result = dialect.plan(parameters, context);
  // `mirror` (docs/mirror-secrets.md) names files of the plan, so it is checked against the plan.
  const mirror = result.ok ? planMirror(parameters, result.plan.objects) : undefined;
  const mirrorIssues = mirror?.issues ?? [];
  if (unknownIssues.length === 0 && mirrorIssues.length === 0) return result.ok && mirror && mirror.mirrors.length > 0 ? { ok: true, plan: { ...result.plan, mirrors: mirror.mirrors } } : result;
  return { ok: false, issues: [...unknownIssues, ...(result.ok ? [] : result.issues), ...mirrorIssues] };
}

function unknownParameter(key: string, dialect: string, keys: readonly string[]): string {
  const near = nearestKey(key, [...keys, ...COMMON_KEYS]);
  return near === undefined ? `unknown parameter for the ${dialect} dialect; expected ${keys.join(', ')}` : `unknown parameter for the ${dialect} dialect; did you mean "${near}"?`;
}

/** Plans a Mount or throws one ConfigError that names the first problem and counts the rest. */
export function planOrThrow(parameters: Readonly<Record<string, string>>, context: DialectContext, socketDialect?: string): MountPlan {
  const result = planParameters(parameters, context, socketDialect);
  if (result.ok) return result.plan;
  const [first, ...rest] = result.issues;
  const more = rest.length === 0 ? '' : ` (and ${rest.length} more problem${rest.length === 1 ? '' : 's'}; run "courier validate" to list them)`;
  throw new ConfigError(`${first?.message ?? 'is invalid'}${more}`, { field: first?.field ?? 'parameters' });
}

function fail(field: string, message: string): PlanResult {
  return { ok: false, issues: [{ field, message }] };
}
