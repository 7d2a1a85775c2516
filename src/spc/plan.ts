/** Chooses the dialect for a request and plans the Mount; pure. */
import { ConfigError } from '../errors/courier-error.ts';
import { DRIVER_KEYS } from './decode-request.ts';
import type { Dialect, DialectContext } from './dialects/dialect.ts';
import { AWS_PARAMETER_KEYS, planAws } from './dialects/aws.ts';
import { GCP_PARAMETER_KEYS, planGcp } from './dialects/gcp.ts';
import { planNative } from './dialects/native.ts';
import { planMirror } from './mirror-parameter.ts';
import { storeParameterKeys } from './stores.ts';
import { DIALECT_NAMES, type ConfigIssue, type DialectName, type MountPlan, type PlanResult } from './types.ts';

/** The dialects this build of Courier speaks. */
export const DIALECTS: ReadonlyMap<DialectName, Dialect> = new Map<DialectName, Dialect>([
  ['native', { name: 'native', get parameterKeys() { return ['objects', ...storeParameterKeys()]; }, plan: planNative }],
  ['aws', { name: 'aws', parameterKeys: AWS_PARAMETER_KEYS, plan: planAws }],
  ['gcp', { name: 'gcp', parameterKeys: GCP_PARAMETER_KEYS, plan: planGcp }],
]);

/** Parameters every dialect accepts: the dialect switch and what the driver adds without a `/`. */
const COMMON_KEYS = ['dialect', 'mirror', DRIVER_KEYS.secretProviderClass];

/**
 * Plans a Mount. The dialect is the SecretProviderClass's `dialect` parameter if set, otherwise the
 * one the socket was opened for (`--compat aws` serves `aws.sock` in the aws dialect).
 */
export function planParameters(parameters: Readonly<Record<string, string>>, context: DialectContext, socketDialect: DialectName = 'native'): PlanResult {
  const requested = parameters['dialect'];
  if (requested !== undefined && !(DIALECT_NAMES as readonly string[]).includes(requested)) {
    return fail('dialect', `"${requested}" is not a dialect; expected one of ${DIALECT_NAMES.join(', ')}`);
  }
  const name = (requested as DialectName | undefined) ?? socketDialect;
  const dialect = DIALECTS.get(name);
  if (!dialect) return fail('dialect', `the ${name} dialect is not available in this Courier version`);
  const unknown = Object.keys(parameters).filter((key) => !key.includes('/') && !COMMON_KEYS.includes(key) && !dialect.parameterKeys.includes(key));
  const unknownIssues: ConfigIssue[] = unknown.map((key) => ({ field: key, message: `unknown parameter for the ${name} dialect; expected ${dialect.parameterKeys.join(', ')}` }));
  const result = dialect.plan(parameters, context);
  // `mirror` (docs/mirror-secrets.md) names files of the plan, so it is checked against the plan.
  const mirrorIssues = result.ok ? planMirror(parameters, result.plan.objects).issues : [];
  if (unknownIssues.length === 0 && mirrorIssues.length === 0) return result;
  return { ok: false, issues: [...unknownIssues, ...(result.ok ? [] : result.issues), ...mirrorIssues] };
}

/** Plans a Mount or throws one ConfigError that names the first problem and counts the rest. */
export function planOrThrow(parameters: Readonly<Record<string, string>>, context: DialectContext, socketDialect?: DialectName): MountPlan {
  const result = planParameters(parameters, context, socketDialect);
  if (result.ok) return result.plan;
  const [first, ...rest] = result.issues;
  const more = rest.length === 0 ? '' : ` (and ${rest.length} more problem${rest.length === 1 ? '' : 's'}; run "courier validate" to list them)`;
  throw new ConfigError(`${first?.message ?? 'is invalid'}${more}`, { field: first?.field ?? 'parameters' });
}

function fail(field: string, message: string): PlanResult {
  return { ok: false, issues: [{ field, message }] };
}
