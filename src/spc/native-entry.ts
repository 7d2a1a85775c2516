/** One `source:` entry of the native dialect (a file, or a template's input), read and checked against the store catalog. */
import { checkMountPath } from '../output/path-rules.ts';
import { checkJmesPath } from '../transform/jmespath-check.ts';
import type { MountBudgets } from './budgets.ts';
import { checkKnownKeys, describe, isMapping, type IssueList, readBoolean, readEncoding, readFileMode, readString, type Mapping } from './fields.ts';
import { defaultPath, parseSource, storeParamsFor } from './sources.ts';
import type { CatalogSource, DialectContext } from './store-catalog.ts';
import type { Extract, ObjectSpec } from './types.ts';

/** Keys every `objects` entry may have; a source may add its own (store-catalog.ts, objectParameters). */
export const NATIVE_ENTRY_KEYS = ['source', 'path', 'mode', 'version', 'stage', 'jsonKey', 'jmesPath', 'yamlKey', 'encoding', 'optional'] as const;

/**
 * Reads one `source:` entry: a file of the mount (`file`), or a template's input (`input`), which has
 * no path or mode of its own. Every problem is added to `issues` with its field; undefined if any.
 */
export function readSourceEntry(entry: unknown, field: string, parameters: Readonly<Record<string, string>>, context: DialectContext, issues: IssueList, role: 'file' | 'input' = 'file'): ObjectSpec | undefined {
  if (!isMapping(entry)) {
    issues.add(field, `must be a mapping with at least "source", not ${describe(entry)}`);
    return undefined;
  }
  const before = issues.items.length;
  // The source decides which extra keys the entry may have, so it is looked at before the keys are checked.
  const named = typeof entry['source'] === 'string' ? context.catalog.sources.get(entry['source'].split(':')[0] ?? '') : undefined;
  const common = role === 'file' ? NATIVE_ENTRY_KEYS : NATIVE_ENTRY_KEYS.filter((key) => key !== 'path' && key !== 'mode');
  checkKnownKeys(entry, [...common, ...(named?.objectParameters ?? []).map(({ name }) => name)], field, issues);
  const source = readString(entry, 'source', field, issues);
  if (entry['source'] === undefined || entry['source'] === null) issues.add(`${field}.source`, 'is required, e.g. "file:demo/db.json"');
  const parsed = source === undefined ? undefined : parseSource(source, context.catalog);
  if (parsed && 'error' in parsed) issues.add(`${field}.source`, parsed.error);
  const spec = parsed && !('error' in parsed) ? parsed.source : undefined;
  const path = readString(entry, 'path', field, issues);
  const version = readString(entry, 'version', field, issues);
  const stage = readString(entry, 'stage', field, issues);
  const optional = readBoolean(entry, 'optional', field, issues) ?? false;
  const mode = readFileMode(entry, 'mode', field, context.permission, issues);
  const extract = readExtract(entry, field, context.budgets, issues);
  const encoding = readEncoding(entry, field, issues);
  const objectParams = spec === undefined ? {} : readObjectParameters(entry, spec, field, issues);
  if (spec !== undefined && parsed !== undefined && !('error' in parsed)) {
    const selector = { locator: parsed.locator, ...(version === undefined ? {} : { version }), ...(stage === undefined ? {} : { stage }) };
    for (const problem of spec.checkSelector?.(selector) ?? []) issues.add(`${field}.${problem.key}`, problem.message);
  }
  // An explicit path is checked even when other fields are wrong, so one run lists every problem.
  const pathProblem = path === undefined ? undefined : checkMountPath(path);
  if (pathProblem !== undefined) issues.add(`${field}.path`, pathProblem);
  if (!parsed || 'error' in parsed || issues.items.length > before) return undefined;
  const filePath = role === 'input' ? '' : (path ?? defaultPath(parsed.source, parsed.locator));
  const derivedProblem = path === undefined && role === 'file' ? checkMountPath(filePath) : undefined;
  if (derivedProblem !== undefined) {
    issues.add(`${field}.path`, `${derivedProblem} (derived from the source; set "path")`);
    return undefined;
  }
  return {
    id: field,
    store: parsed.source.name,
    locator: parsed.locator,
    ...(version === undefined ? {} : { version }),
    ...(stage === undefined ? {} : { stage }),
    storeParams: { ...storeParamsFor(parsed.source, parameters), ...objectParams },
    path: filePath,
    mode,
    ...(extract === undefined ? {} : { extract }),
    encoding,
    optional,
  };
}

/** The source's own per-object keys (`method` for vault), each checked by the store's rule. */
function readObjectParameters(entry: Mapping, source: CatalogSource, field: string, issues: IssueList): Record<string, string> {
  const params: Record<string, string> = {};
  for (const spec of source.objectParameters ?? []) {
    const value = spec.kind === 'mapping' ? readMappingText(entry, spec.name, field, issues) : readString(entry, spec.name, field, issues);
    if (value === undefined) continue;
    const problem = spec.check?.(value);
    if (problem === undefined) params[spec.name] = value;
    else issues.add(`${field}.${spec.name}`, problem);
  }
  return params;
}

/** A per-object mapping, as JSON text; problems are reported under its key. */
function readMappingText(entry: Mapping, key: string, field: string, issues: IssueList): string | undefined {
  const value = entry[key];
  if (value === undefined || value === null) return undefined;
  if (!isMapping(value)) {
    issues.add(`${field}.${key}`, `must be a mapping, not ${describe(value)}`);
    return undefined;
  }
  return JSON.stringify(value);
}

function readExtract(entry: Mapping, field: string, budgets: MountBudgets, issues: IssueList): Extract | undefined {
  const jsonKey = readString(entry, 'jsonKey', field, issues);
  const expression = readString(entry, 'jmesPath', field, issues);
  const yamlKey = readString(entry, 'yamlKey', field, issues);
  const chosen = [jsonKey, expression, yamlKey].filter((value) => value !== undefined).length;
  if (chosen > 1) {
    issues.add(field, 'jsonKey, jmesPath and yamlKey are mutually exclusive; use one');
    return undefined;
  }
  if (jsonKey !== undefined) return { kind: 'jsonKey', key: jsonKey, field: 'jsonKey' };
  if (yamlKey !== undefined) return { kind: 'yamlKey', key: yamlKey, field: 'yamlKey' };
  if (expression === undefined) return undefined;
  const problem = checkJmesPath(expression, budgets);
  if (problem !== undefined) {
    issues.add(`${field}.jmesPath`, problem);
    return undefined;
  }
  return { kind: 'jmesPath', expression, field: 'jmesPath' };
}
