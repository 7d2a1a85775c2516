/** Courier's own SecretProviderClass dialect: `parameters.objects` as a YAML list of `source:` entries. */
import { tooManyObjects } from './budgets.ts';
import { checkPathSet } from './check-paths.ts';
import { isMapping, IssueList, readYamlList } from './fields.ts';
import { readSourceEntry } from './native-entry.ts';
import { storeParameterKeys } from './sources.ts';
import type { Dialect, DialectContext, StoreCatalog } from './store-catalog.ts';
import { readTemplateEntry } from './template-entry.ts';
import type { ObjectSpec, PlanResult, TemplateSpec } from './types.ts';

/** The native dialect for the stores of `catalog`. */
export function nativeDialect(catalog: StoreCatalog): Dialect {
  return {
    name: 'native',
    get parameterKeys() {
      return ['objects', ...storeParameterKeys(catalog)];
    },
    plan: planNative,
  };
}

/** Plans a native SecretProviderClass. Pure: every problem is returned, none thrown. */
export function planNative(parameters: Readonly<Record<string, string>>, context: DialectContext): PlanResult {
  const issues = new IssueList();
  checkStoreSettings(parameters, context.catalog, issues);
  const { objects, templates, files } = readObjects(parameters, context, issues);
  checkPathSet(files, issues, (file) => `${file.id}.path`);
  if (issues.items.length > 0) return { ok: false, issues: issues.items };
  return { ok: true, plan: { dialect: 'native', objects, ...(templates.length === 0 ? {} : { templates }) } };
}

/** Top-level store settings (`aws.region`) checked by the store's own rules, before any object. */
function checkStoreSettings(parameters: Readonly<Record<string, string>>, catalog: StoreCatalog, issues: IssueList): void {
  for (const { prefix, parameters: specs, checkTogether } of catalog.settings.values()) {
    const values: Record<string, string> = {};
    for (const spec of specs) {
      const value = parameters[`${prefix}${spec.name}`];
      if (value === undefined || value === '') continue;
      const problem = spec.check?.(value);
      if (problem === undefined) values[spec.name] = value;
      else issues.add(`${prefix}${spec.name}`, problem);
    }
    for (const problem of checkTogether?.(values) ?? []) issues.add(`${prefix}${problem.key}`, problem.message);
  }
}

/** Entries with a `template` are rendered files; every other entry is a `source:` object. */
function readObjects(parameters: Readonly<Record<string, string>>, context: DialectContext, issues: IssueList): { objects: ObjectSpec[]; templates: TemplateSpec[]; files: Array<ObjectSpec | TemplateSpec> } {
  const list = readYamlList(parameters['objects'], 'objects', { required: 'a YAML list of objects, each with a "source" (or a "template")', noun: 'object' }, issues, context.budgets.maxObjects);
  const objects: ObjectSpec[] = [];
  const templates: TemplateSpec[] = [];
  // Both kinds in entry order, so a clash is reported against the later entry.
  const files: Array<ObjectSpec | TemplateSpec> = [];
  const readInput = (input: unknown, field: string) => readSourceEntry(input, field, parameters, context, issues, 'input');
  // Counted before any template is compiled (about a millisecond per KiB of template): the entries and
  // the templates' inputs, as the plan would hold them (plan.ts checks the same total).
  const total = list.reduce((sum: number, entry: unknown) => sum + (isMapping(entry) && 'template' in entry ? 1 + (isMapping(entry['inputs']) ? Object.keys(entry['inputs']).length : 0) : 1), 0);
  if (total > context.budgets.maxObjects) {
    issues.add('objects', tooManyObjects(total, context.budgets.maxObjects));
    return { objects, templates, files };
  }
  list.forEach((entry: unknown, index) => {
    const field = `objects[${index}]`;
    if (isMapping(entry) && 'template' in entry) {
      const template = readTemplateEntry(entry, field, context, readInput, issues);
      if (template) templates.push(template);
      if (template) files.push(template);
      return;
    }
    const object = readSourceEntry(entry, field, parameters, context, issues);
    if (object) objects.push(object);
    if (object) files.push(object);
  });
  return { objects, templates, files };
}

