/** Courier's own SecretProviderClass dialect: `parameters.objects` as a YAML list of `source:` entries. */
import jmespath from 'jmespath';
import { checkMountPath } from '../../output/path-rules.ts';
import { checkPathSet } from '../check-paths.ts';
import { checkKnownKeys, describe, isMapping, IssueList, readBoolean, readEncoding, readFileMode, readString, readYamlList, type Mapping } from '../fields.ts';
import { defaultPath, parseSource, storeParamsFor } from '../stores.ts';
import type { Extract, ObjectSpec, PlanResult } from '../types.ts';
import type { DialectContext } from './dialect.ts';

/** Keys an `objects` entry may have. */
export const NATIVE_ENTRY_KEYS = ['source', 'path', 'mode', 'version', 'stage', 'jsonKey', 'jmesPath', 'yamlKey', 'encoding', 'optional'] as const;

/** Plans a native SecretProviderClass. Pure: every problem is returned, none thrown. */
export function planNative(parameters: Readonly<Record<string, string>>, context: DialectContext): PlanResult {
  const issues = new IssueList();
  const objects = readObjects(parameters, context, issues);
  checkPathSet(objects, issues, (object) => `${object.id}.path`);
  if (issues.items.length > 0) return { ok: false, issues: issues.items };
  return { ok: true, plan: { dialect: 'native', objects } };
}

function readObjects(parameters: Readonly<Record<string, string>>, context: DialectContext, issues: IssueList): ObjectSpec[] {
  const list = readYamlList(parameters['objects'], 'objects', { required: 'a YAML list of objects, each with a "source"', noun: 'object' }, issues);
  const objects: ObjectSpec[] = [];
  list.forEach((entry: unknown, index) => {
    const object = readEntry(entry, `objects[${index}]`, context, issues);
    if (object) objects.push({ ...object, storeParams: storeParamsFor(object.store, parameters) });
  });
  return objects;
}

function readEntry(entry: unknown, field: string, context: DialectContext, issues: IssueList): ObjectSpec | undefined {
  if (!isMapping(entry)) {
    issues.add(field, `must be a mapping with at least "source", not ${describe(entry)}`);
    return undefined;
  }
  const before = issues.items.length;
  checkKnownKeys(entry, NATIVE_ENTRY_KEYS, field, issues);
  const source = readString(entry, 'source', field, issues);
  if (entry['source'] === undefined || entry['source'] === null) issues.add(`${field}.source`, 'is required, e.g. "file:demo/db.json"');
  const parsed = source === undefined ? undefined : parseSource(source);
  if (parsed && 'error' in parsed) issues.add(`${field}.source`, parsed.error);
  const path = readString(entry, 'path', field, issues);
  const version = readString(entry, 'version', field, issues);
  const stage = readString(entry, 'stage', field, issues);
  const optional = readBoolean(entry, 'optional', field, issues) ?? false;
  const mode = readFileMode(entry, 'mode', field, context.permission, issues);
  const extract = readExtract(entry, field, issues);
  const encoding = readEncoding(entry, field, issues);
  // An explicit path is checked even when other fields are wrong, so one run lists every problem.
  const pathProblem = path === undefined ? undefined : checkMountPath(path);
  if (pathProblem !== undefined) issues.add(`${field}.path`, pathProblem);
  if (!parsed || 'error' in parsed || issues.items.length > before) return undefined;
  const filePath = path ?? defaultPath(parsed.store, parsed.locator);
  const derivedProblem = path === undefined ? checkMountPath(filePath) : undefined;
  if (derivedProblem !== undefined) {
    issues.add(`${field}.path`, `${derivedProblem} (derived from the source; set "path")`);
    return undefined;
  }
  return {
    id: field,
    store: parsed.store,
    locator: parsed.locator,
    ...(version === undefined ? {} : { version }),
    ...(stage === undefined ? {} : { stage }),
    storeParams: {},
    path: filePath,
    mode,
    ...(extract === undefined ? {} : { extract }),
    encoding,
    optional,
  };
}


function readExtract(entry: Mapping, field: string, issues: IssueList): Extract | undefined {
  const jsonKey = readString(entry, 'jsonKey', field, issues);
  const expression = readString(entry, 'jmesPath', field, issues);
  const yamlKey = readString(entry, 'yamlKey', field, issues);
  const chosen = [jsonKey, expression, yamlKey].filter((value) => value !== undefined).length;
  if (chosen > 1) {
    issues.add(field, 'jsonKey, jmesPath and yamlKey are mutually exclusive; use one');
    return undefined;
  }
  if (jsonKey !== undefined) return { kind: 'jsonKey', key: jsonKey };
  if (yamlKey !== undefined) return { kind: 'yamlKey', key: yamlKey };
  if (expression === undefined) return undefined;
  try {
    jmespath.compile(expression);
  } catch (error) {
    issues.add(`${field}.jmesPath`, `is not a valid JMESPath expression: ${(error as Error).message}`);
    return undefined;
  }
  return { kind: 'jmesPath', expression };
}
