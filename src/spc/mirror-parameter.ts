/** The `mirror` parameter: Kubernetes Secrets to keep in step with a Mount's files, parsed and validated; pure. */
import { checkKnownKeys, describe, isMapping, IssueList, parseYamlParameter, readString, type Mapping } from './fields.ts';
import { MIRROR_TYPES, MANAGED_BY_LABEL, MANAGED_BY_VALUE, type MirrorDataSpec, type MirrorSpec, type MirrorType } from './mirror-types.ts';
import { DEFAULT_BUDGETS } from './budgets.ts';
import type { ConfigIssue } from './types.ts';

/** A file of the plan a mirror may take data from: an object (possibly optional) or a template. */
export interface MirrorableFile {
  readonly id: string;
  readonly path: string;
  readonly optional?: boolean;
}

const ENTRY_KEYS = ['secretName', 'type', 'labels', 'annotations', 'data'];
const DATA_KEYS = ['objectName', 'key'];
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DATA_KEY = /^[-._a-zA-Z0-9]+$/;

/** Keys a Secret of each type must have (basic-auth: at least one of the two, as Kubernetes requires). */
const REQUIRED_KEYS: Readonly<Record<MirrorType, readonly string[]>> = {
  Opaque: [],
  'kubernetes.io/tls': ['tls.crt', 'tls.key'],
  'kubernetes.io/dockerconfigjson': ['.dockerconfigjson'],
  'kubernetes.io/basic-auth': [],
  'kubernetes.io/ssh-auth': ['ssh-privatekey'],
};

/** File names an unknown objectName's message lists at most. */
const LISTED_FILES = 10;

/**
 * Parses the `mirror` parameter against the plan's objects: every `objectName` must be a file of
 * this Mount and not an optional one (a mirror cannot be built from a file that may be missing).
 * Returns [] when the parameter is absent.
 */
export function planMirror(parameters: Readonly<Record<string, string>>, objects: readonly MirrorableFile[], maxItems: number = DEFAULT_BUDGETS.maxObjects): { readonly mirrors: MirrorSpec[]; readonly issues: readonly ConfigIssue[] } {
  const issues = new IssueList();
  const text = parameters['mirror'];
  if (text === undefined) return { mirrors: [], issues: [] };
  const list = parseYamlParameter(text, 'mirror', issues);
  if (list === undefined) return { mirrors: [], issues: issues.items };
  if (!Array.isArray(list) || list.length === 0) {
    issues.add('mirror', `must be a YAML list of Secrets, each with secretName, type and data, not ${Array.isArray(list) ? 'an empty list' : describe(list)}`);
    return { mirrors: [], issues: issues.items };
  }
  // Refused before any entry is read: a pod can make these lists as long as the parameter budget allows.
  if (list.length > maxItems) {
    issues.add('mirror', `lists ${list.length} Secrets, over the budget of ${maxItems} (--max-objects)`);
    return { mirrors: [], issues: issues.items };
  }
  const files = new Map(objects.map((object) => [object.path, object]));
  const mirrors: MirrorSpec[] = [];
  const names = new Map<string, string>();
  list.forEach((entry: unknown, index) => {
    const mirror = readMirror(entry, `mirror[${index}]`, files, issues, maxItems);
    if (!mirror) return;
    const earlier = names.get(mirror.secretName);
    if (earlier !== undefined) issues.add(`${mirror.field}.secretName`, `"${mirror.secretName}" is already mirrored by ${earlier}`);
    names.set(mirror.secretName, mirror.field);
    mirrors.push(mirror);
  });
  return { mirrors: issues.items.length > 0 ? [] : mirrors, issues: issues.items };
}

function readMirror(entry: unknown, field: string, files: ReadonlyMap<string, MirrorableFile>, issues: IssueList, maxItems: number): MirrorSpec | undefined {
  if (!isMapping(entry)) {
    issues.add(field, `must be a mapping with secretName, type and data, not ${describe(entry)}`);
    return undefined;
  }
  const before = issues.items.length;
  if ('namespace' in entry) issues.add(`${field}.namespace`, "courier writes a mirror only into the pod's own namespace; remove \"namespace\"");
  checkKnownKeys(Object.fromEntries(Object.entries(entry).filter(([name]) => name !== 'namespace')), ENTRY_KEYS, field, issues);
  const secretName = readString(entry, 'secretName', field, issues);
  if (secretName === undefined && entry['secretName'] === undefined) issues.add(`${field}.secretName`, 'is required');
  if (secretName !== undefined && (secretName.length > 253 || !SUBDOMAIN.test(secretName))) {
    issues.add(`${field}.secretName`, `"${secretName}" is not a valid Secret name (lower-case letters, digits, "-" and ".", at most 253 characters)`);
  }
  const type = readType(entry, field, issues);
  const labels = readStringMap(entry, 'labels', field, issues);
  const annotations = readStringMap(entry, 'annotations', field, issues);
  checkLabels(labels, `${field}.labels`, issues);
  const data = readData(entry, field, files, issues, maxItems);
  if (issues.items.length > before || secretName === undefined) return undefined;
  const missing = REQUIRED_KEYS[type].filter((key) => !data.some((item) => item.key === key));
  if (missing.length > 0) issues.add(`${field}.data`, `a ${type} Secret needs the key${missing.length === 1 ? '' : 's'} ${missing.join(' and ')}`);
  if (type === 'kubernetes.io/basic-auth' && !data.some((item) => item.key === 'username' || item.key === 'password')) {
    issues.add(`${field}.data`, 'a kubernetes.io/basic-auth Secret needs the key username or password');
  }
  return issues.items.length > before ? undefined : { field, secretName, type, labels, annotations, data };
}

function readType(entry: Mapping, field: string, issues: IssueList): MirrorType {
  const value = readString(entry, 'type', field, issues);
  if (value === undefined) return 'Opaque';
  const match = MIRROR_TYPES.find((type) => type === value);
  if (match) return match;
  issues.add(`${field}.type`, `"${value}" is not a Secret type courier mirrors; expected one of ${MIRROR_TYPES.join(', ')}`);
  return 'Opaque';
}

function readStringMap(entry: Mapping, key: string, field: string, issues: IssueList): Record<string, string> {
  const value = entry[key];
  if (value === undefined || value === null) return {};
  if (!isMapping(value)) {
    issues.add(`${field}.${key}`, `must be a mapping of strings, not ${describe(value)}`);
    return {};
  }
  const result: Record<string, string> = {};
  for (const [name, item] of Object.entries(value)) {
    if (!isQualifiedName(name)) issues.add(`${field}.${key}.${name}`, 'is not a valid key (an optional DNS prefix and "/", then at most 63 letters, digits, "-", "_" or ".")');
    else if (typeof item !== 'string') issues.add(`${field}.${key}.${name}`, `must be a string, not ${describe(item)}`);
    else result[name] = item;
  }
  return result;
}

function checkLabels(labels: Readonly<Record<string, string>>, field: string, issues: IssueList): void {
  for (const [name, value] of Object.entries(labels)) {
    if (name === MANAGED_BY_LABEL) issues.add(`${field}.${name}`, `is set by courier to "${MANAGED_BY_VALUE}"; remove it`);
    else if (value !== '' && (value.length > 63 || !NAME_PART.test(value))) issues.add(`${field}.${name}`, 'is not a valid label value (at most 63 letters, digits, "-", "_" or ".", starting and ending alphanumeric)');
  }
}

function readData(entry: Mapping, field: string, files: ReadonlyMap<string, MirrorableFile>, issues: IssueList, maxItems: number): MirrorDataSpec[] {
  const list = entry['data'];
  if (!Array.isArray(list) || list.length === 0) {
    issues.add(`${field}.data`, list === undefined || list === null ? 'is required: a list of {objectName, key}' : `must be a non-empty list of {objectName, key}, not ${Array.isArray(list) ? 'an empty list' : describe(list)}`);
    return [];
  }
  if (list.length > maxItems) {
    issues.add(`${field}.data`, `lists ${list.length} items, over the budget of ${maxItems} (--max-objects)`);
    return [];
  }
  const data: MirrorDataSpec[] = [];
  const keys = new Map<string, string>();
  list.forEach((item: unknown, index) => {
    const itemField = `${field}.data[${index}]`;
    const spec = readDataItem(item, itemField, files, issues);
    if (!spec) return;
    const earlier = keys.get(spec.key);
    if (earlier !== undefined) issues.add(`${itemField}.key`, `"${spec.key}" is already set by ${earlier}`);
    keys.set(spec.key, itemField);
    data.push(spec);
  });
  return data;
}

function readDataItem(item: unknown, field: string, files: ReadonlyMap<string, MirrorableFile>, issues: IssueList): MirrorDataSpec | undefined {
  if (!isMapping(item)) {
    issues.add(field, `must be a mapping with objectName and key, not ${describe(item)}`);
    return undefined;
  }
  checkKnownKeys(item, DATA_KEYS, field, issues);
  const objectName = readString(item, 'objectName', field, issues);
  const key = readString(item, 'key', field, issues);
  if (objectName === undefined && item['objectName'] === undefined) issues.add(`${field}.objectName`, 'is required: the path of a file of this mount');
  if (key === undefined && item['key'] === undefined) issues.add(`${field}.key`, 'is required: the key of the Secret');
  if (key !== undefined && (key.length > 253 || !DATA_KEY.test(key))) issues.add(`${field}.key`, `"${key}" is not a valid Secret key (letters, digits, "-", "_" and ".")`);
  if (objectName !== undefined) {
    const object = files.get(objectName);
    if (!object) issues.add(`${field}.objectName`, `"${objectName}" is not a file of this mount; expected one of ${listed([...files.keys()])}`);
    else if (object.optional) issues.add(`${field}.objectName`, `"${objectName}" comes from an optional object (${object.id}); a mirrored file cannot be optional`);
  }
  return objectName === undefined || key === undefined ? undefined : { field, objectName, key };
}

function isQualifiedName(name: string): boolean {
  const slash = name.lastIndexOf('/');
  const prefix = slash < 0 ? undefined : name.slice(0, slash);
  const local = slash < 0 ? name : name.slice(slash + 1);
  if (prefix !== undefined && (prefix.length > 253 || !SUBDOMAIN.test(prefix))) return false;
  return local.length <= 63 && NAME_PART.test(local);
}

/** The first few file names, quoted, and how many more: a message per bad item must not grow with the class. */
function listed(paths: readonly string[]): string {
  const shown = paths.slice(0, LISTED_FILES).map((path) => `"${path}"`).join(', ');
  return paths.length > LISTED_FILES ? `${shown} (and ${paths.length - LISTED_FILES} more)` : shown;
}
