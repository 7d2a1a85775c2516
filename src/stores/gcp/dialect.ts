/** The Google provider's SecretProviderClass dialect: `secrets` as a YAML list of `resourceName` entries, and `auth`. */
import { GCP_AUTH_MODES, parseSecretVersionName } from './locator.ts';
import { checkMountPath } from '../../output/path-rules.ts';
import { checkPathSet } from '../../spc/check-paths.ts';
import { checkKnownKeys, describe, isMapping, IssueList, readEncoding, readFileMode, readString, readYamlList, type Mapping } from '../../spc/fields.ts';
import type { Extract, ObjectSpec, PlanResult } from '../../spc/types.ts';
import type { Dialect, DialectContext } from '../../spc/store-catalog.ts';

/** Top-level parameters of the gcp dialect. */
export const GCP_PARAMETER_KEYS = ['secrets', 'auth'] as const;
/** Keys a `secrets` entry may have, as the Google provider reads them. */
export const GCP_ENTRY_KEYS = ['resourceName', 'path', 'fileName', 'mode', 'extractJSONKey', 'extractYAMLKey', 'encoding'] as const;

/** The Google provider's SecretProviderClass dialect, served on `gcp.sock` with `--compat gcp`. */
export const gcpDialect: Dialect = { name: 'gcp', parameterKeys: GCP_PARAMETER_KEYS, plan: planGcp };

/**
 * Plans a SecretProviderClass written for the Google provider. Pure: every problem is returned
 * with its field (`secrets[1].path`), none thrown.
 */
export function planGcp(parameters: Readonly<Record<string, string>>, context: DialectContext): PlanResult {
  const issues = new IssueList();
  const auth = readAuth(parameters, issues);
  const entries = readSecrets(parameters, context, issues);
  const objects = entries.map(({ object }) => ({ ...object, storeParams: auth === undefined ? {} : { auth } }));
  // A clash is reported against the key the user wrote the path in: `path` or `fileName`.
  const pathFields = new Map(entries.map(({ object, pathField }) => [object.id, `${object.id}.${pathField}`]));
  checkPathSet(objects, issues, (object) => pathFields.get(object.id) ?? `${object.id}.path`);
  if (issues.items.length > 0) return { ok: false, issues: issues.items };
  return { ok: true, plan: { dialect: 'gcp', objects } };
}

function readAuth(parameters: Readonly<Record<string, string>>, issues: IssueList): string | undefined {
  const auth = parameters['auth'];
  if (auth === undefined || auth === '') return undefined;
  if ((GCP_AUTH_MODES as readonly string[]).includes(auth)) return auth;
  issues.add('auth', `"${auth}" is not one of ${GCP_AUTH_MODES.join(', ')}`);
  return undefined;
}

/** A planned entry and the key its path came from. */
interface GcpEntry {
  readonly object: ObjectSpec;
  readonly pathField: 'path' | 'fileName';
}

function readSecrets(parameters: Readonly<Record<string, string>>, context: DialectContext, issues: IssueList): GcpEntry[] {
  const list = readYamlList(parameters['secrets'], 'secrets', { required: 'a YAML list of secrets, each with a "resourceName" and a "path"', noun: 'secret' }, issues, context.budgets.maxObjects);
  return list.flatMap((entry: unknown, index) => readEntry(entry, `secrets[${index}]`, context, issues) ?? []);
}

function readEntry(entry: unknown, field: string, context: DialectContext, issues: IssueList): GcpEntry | undefined {
  if (!isMapping(entry)) {
    issues.add(field, `must be a mapping with "resourceName" and "path", not ${describe(entry)}`);
    return undefined;
  }
  const before = issues.items.length;
  checkKnownKeys(entry, GCP_ENTRY_KEYS, field, issues);
  const locator = readResourceName(entry, field, issues);
  // The Google provider writes to `path` when set, else to `fileName`.
  const path = readString(entry, 'path', field, issues);
  const fileName = readString(entry, 'fileName', field, issues);
  const pathField = path === undefined && fileName !== undefined ? 'fileName' : 'path';
  const filePath = path ?? fileName;
  if (filePath === undefined && entry['path'] === undefined && entry['fileName'] === undefined) issues.add(`${field}.path`, 'is required (or "fileName"): the file to write the secret to');
  // As the Google provider takes it: a YAML integer, `0400` octal (YAML 1.1) or `256` decimal.
  const mode = readFileMode(entry, 'mode', field, context.permission, issues);
  const extract = readExtract(entry, field, issues);
  const encoding = readEncoding(entry, field, issues);
  if (locator === undefined || filePath === undefined || issues.items.length > before) return undefined;
  const pathProblem = checkMountPath(filePath);
  if (pathProblem !== undefined) {
    issues.add(`${field}.${pathField}`, pathProblem);
    return undefined;
  }
  return { object: { id: field, store: 'gcp-sm', locator, storeParams: {}, path: filePath, mode, ...(extract === undefined ? {} : { extract }), encoding, optional: false }, pathField };
}

function readResourceName(entry: Mapping, field: string, issues: IssueList): string | undefined {
  const name = readString(entry, 'resourceName', field, issues);
  if (name === undefined) {
    if (entry['resourceName'] === undefined) issues.add(`${field}.resourceName`, 'is required, e.g. "projects/PROJECT/secrets/SECRET/versions/latest"');
    return undefined;
  }
  const parsed = parseSecretVersionName(name);
  if ('error' in parsed) {
    issues.add(`${field}.resourceName`, parsed.error);
    return undefined;
  }
  if (!/\/versions\/[^/]+$/.test(name)) {
    issues.add(`${field}.resourceName`, `"${name}" names no version; end it with /versions/latest or /versions/NUMBER`);
    return undefined;
  }
  return name;
}


function readExtract(entry: Mapping, field: string, issues: IssueList): Extract | undefined {
  const jsonKey = readString(entry, 'extractJSONKey', field, issues);
  const yamlKey = readString(entry, 'extractYAMLKey', field, issues);
  if (jsonKey !== undefined && yamlKey !== undefined) {
    issues.add(field, 'extractJSONKey and extractYAMLKey are mutually exclusive; use one');
    return undefined;
  }
  if (jsonKey !== undefined) return { kind: 'jsonKey', key: jsonKey, field: 'extractJSONKey' };
  if (yamlKey !== undefined) return { kind: 'yamlKey', key: yamlKey, field: 'extractYAMLKey' };
  return undefined;
}
