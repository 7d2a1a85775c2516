/** Chooses the dialect for a request and plans the Mount; pure. */
import { tooManyObjects } from './budgets.ts';
import { ConfigError } from '../errors/courier-error.ts';
import { DRIVER_KEYS } from './decode-request.ts';
import type { Dialect, DialectContext, StoreCatalog } from './store-catalog.ts';
import { planMirror } from './mirror-parameter.ts';
import { nativeDialect } from './native-dialect.ts';
import { checkPathSet } from './check-paths.ts';
import { describe, isMapping, IssueList, nearestKey, readYamlList } from './fields.ts';
import { readSourceEntry } from './native-entry.ts';
import { readTemplateEntry } from './template-entry.ts';
import type { ConfigIssue, MountPlan, PlanResult, TemplateSpec } from './types.ts';

/** The dialects of a build: the native one and each store's compatibility dialect, in that order. */
export function dialectsOf(catalog: StoreCatalog): ReadonlyMap<string, Dialect> {
  return new Map([['native', nativeDialect(catalog)], ...catalog.dialects]);
}

/** Parameters every dialect accepts: the dialect switch and what the driver adds without a `/`. */
const COMMON_KEYS = ['dialect', 'mirror', DRIVER_KEYS.secretProviderClass];

/**
 * Courier's extension key for the compatibility dialects: template entries (docs/templates.md) whose
 * inputs are native `source:` entries. The replaced providers would reject it, which is the point: a
 * class that uses it says it needs Courier.
 */
export const TEMPLATES_KEY = 'courier.templates';

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
  const known = [...COMMON_KEYS, ...(name === 'native' ? [] : [TEMPLATES_KEY]), ...dialect.parameterKeys];
  const unknown = Object.keys(parameters).filter((key) => !key.includes('/') && !known.includes(key));
  const unknownIssues: ConfigIssue[] = unknown.map((key) => ({ field: key, message: unknownParameter(key, name, dialect.parameterKeys) }));
  const planned = withExtensionTemplates(dialect.plan(parameters, context), name, parameters, context);
  const result = planned.ok ? checkTotal(planned.plan, context) : planned;
  // `mirror` (docs/mirror-secrets.md) names files of the plan, so it is checked against the plan.
  const mirror = result.ok ? planMirror(parameters, [...result.plan.objects, ...(result.plan.templates ?? [])], context.budgets.maxObjects) : undefined;
  const mirrorIssues = mirror?.issues ?? [];
  if (unknownIssues.length === 0 && mirrorIssues.length === 0) return result.ok && mirror && mirror.mirrors.length > 0 ? { ok: true, plan: { ...result.plan, mirrors: mirror.mirrors } } : result;
  return { ok: false, issues: [...unknownIssues, ...(result.ok ? [] : result.issues), ...mirrorIssues] };
}

/** The `courier.templates` of a class in another provider's dialect, planned as native template entries beside its files. */
function withExtensionTemplates(result: PlanResult, dialect: string, parameters: Readonly<Record<string, string>>, context: DialectContext): PlanResult {
  if (dialect === 'native' || parameters[TEMPLATES_KEY] === undefined) return result;
  const issues = new IssueList();
  const readInput = (input: unknown, field: string) => readSourceEntry(input, field, parameters, context, issues, 'input');
  const templates: TemplateSpec[] = [];
  readYamlList(parameters[TEMPLATES_KEY], TEMPLATES_KEY, { required: 'a YAML list of template entries', noun: 'template' }, issues, context.budgets.maxObjects).forEach((entry, index) => {
    const field = `${TEMPLATES_KEY}[${index}]`;
    if (!isMapping(entry)) return issues.add(field, `must be a mapping with "template", "inputs" and "path", not ${describe(entry)}`);
    const template = readTemplateEntry(entry, field, context, readInput, issues);
    if (template) templates.push(template);
  });
  if (!result.ok) return { ok: false, issues: [...result.issues, ...issues.items] };
  checkPathSet([...result.plan.objects, ...templates], issues, (file) => (file.id.startsWith(TEMPLATES_KEY) ? `${file.id}.path` : file.id));
  if (issues.items.length > 0) return { ok: false, issues: issues.items };
  return { ok: true, plan: { ...result.plan, templates: [...(result.plan.templates ?? []), ...templates] } };
}

/** Every object a plan fetches counts against `--max-objects`: files, templates and their inputs. */
function checkTotal(plan: MountPlan, context: DialectContext): PlanResult {
  const templates = plan.templates ?? [];
  const total = plan.objects.length + templates.reduce((sum, template) => sum + 1 + template.inputs.length, 0);
  if (total > context.budgets.maxObjects) return fail('objects', tooManyObjects(total, context.budgets.maxObjects));
  return { ok: true, plan };
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
