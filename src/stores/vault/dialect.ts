/** The Vault and OpenBao providers' SecretProviderClass dialects (`vault`, `openbao`): current `objects` lists and the Vault provider's legacy `array` format. Pure. */
import { checkMountPath } from '../../output/path-rules.ts';
import { checkPathSet } from '../../spc/check-paths.ts';
import { checkKnownKeys, describe, isMapping, IssueList, parseYamlParameter, readEncoding, readFileMode, readString, type Mapping } from '../../spc/fields.ts';
import type { Dialect, DialectContext } from '../../spc/store-catalog.ts';
import type { ObjectSpec, PlanResult } from '../../spc/types.ts';
import { OPENBAO_NAMES, providerParameterKeys, readProviderSettings, VAULT_NAMES, type ProviderNames } from './dialect-settings.ts';
import { apiPathOf, vaultPathProblem } from './locator.ts';
import { methodProblem, PARAM } from './settings.ts';

/** Keys of an `objects` entry, as the providers read them. */
export const ENTRY_KEYS = ['objectName', 'secretPath', 'secretKey', 'method', 'secretArgs', 'encoding', 'filePermission'] as const;
/** Keys of a legacy `array` entry. */
export const LEGACY_ENTRY_KEYS = ['objectName', 'objectPath', 'objectVersion'] as const;

/** The Vault provider's dialect, served on `vault.sock` with `--compat vault`. */
export const vaultDialect: Dialect = dialectFor(VAULT_NAMES, true);
/** The OpenBao provider's dialect, served on `openbao.sock` with `--compat openbao`. */
export const openbaoDialect: Dialect = dialectFor(OPENBAO_NAMES, false);

function dialectFor(names: ProviderNames, legacy: boolean): Dialect {
  return {
    name: names.dialect,
    parameterKeys: ['objects', ...providerParameterKeys(names)],
    plan: (parameters, context) => planProvider(parameters, context, names, legacy),
  };
}

/** Plans a class written for the Vault or OpenBao provider. Every problem is returned with its field. */
function planProvider(parameters: Readonly<Record<string, string>>, context: DialectContext, names: ProviderNames, legacy: boolean): PlanResult {
  const issues = new IssueList();
  const common = readProviderSettings(parameters, names, issues);
  const objects = readObjects(parameters['objects'], common, context, legacy, issues);
  checkPathSet(objects, issues, (object) => `${object.id}.objectName`);
  if (issues.items.length > 0) return { ok: false, issues: issues.items };
  return { ok: true, plan: { dialect: names.dialect, objects } };
}

function readObjects(text: string | undefined, common: Readonly<Record<string, string>>, context: DialectContext, legacy: boolean, issues: IssueList): ObjectSpec[] {
  const required = 'a YAML list of objects, each with an "objectName" and a "secretPath"';
  if (text === undefined || text.trim() === '') {
    issues.add('objects', `is required: ${required}`);
    return [];
  }
  const parsed = parseYamlParameter(text, 'objects', issues);
  if (parsed === undefined) return [];
  if (legacy && isMapping(parsed) && 'array' in parsed) return readLegacy(parsed, common, context, issues);
  if (!Array.isArray(parsed)) {
    issues.add('objects', `must be a YAML list, not ${describe(parsed)}${legacy ? ' (or the legacy mapping with an "array" list)' : ''}`);
    return [];
  }
  if (parsed.length === 0) issues.add('objects', 'must list at least one object: no secrets configured');
  return parsed.flatMap((entry: unknown, index) => readEntry(entry, `objects[${index}]`, common, context, issues) ?? []);
}

function readEntry(raw: unknown, field: string, common: Readonly<Record<string, string>>, context: DialectContext, issues: IssueList): ObjectSpec | undefined {
  if (!isMapping(raw)) {
    issues.add(field, `must be a mapping with "objectName" and "secretPath", not ${describe(raw)}`);
    return undefined;
  }
  const before = issues.items.length;
  checkKnownKeys(raw, ENTRY_KEYS, field, issues);
  const name = requiredFileName(raw, field, issues);
  const secretPath = readString(raw, 'secretPath', field, issues);
  if (raw['secretPath'] === undefined || raw['secretPath'] === null) issues.add(`${field}.secretPath`, 'is required: the Vault API path to read, e.g. "secret/data/db"');
  const target = secretPath === undefined ? undefined : apiPathOf(secretPath);
  const pathProblem = target === undefined ? undefined : vaultPathProblem(`${target.path}${target.query === undefined ? '' : `?${target.query}`}`, true);
  if (pathProblem !== undefined) issues.add(`${field}.secretPath`, pathProblem);
  const secretKey = readString(raw, 'secretKey', field, issues);
  const method = readString(raw, 'method', field, issues);
  const methodIssue = method === undefined ? undefined : methodProblem(method);
  if (methodIssue !== undefined) issues.add(`${field}.method`, methodIssue);
  const args = readArgs(raw, field, issues);
  const encoding = readEncoding(raw, field, issues);
  const mode = readFileMode(raw, 'filePermission', field, context.permission, issues);
  if (issues.items.length > before || name === undefined || target === undefined) return undefined;
  const storeParams: Record<string, string> = {
    ...common,
    [PARAM.pathStyle]: 'api',
    // Without secretKey the Vault provider writes the whole response; with it, that key of the data.
    [PARAM.shape]: secretKey === undefined ? 'response' : 'provider',
    ...(method === undefined ? {} : { [PARAM.method]: method.toUpperCase() }),
    ...(args === undefined ? {} : { [PARAM.args]: args }),
    ...(target.query === undefined ? {} : { [PARAM.query]: target.query }),
  };
  return {
    id: field,
    store: 'vault',
    locator: target.path,
    storeParams,
    path: name,
    mode,
    ...(secretKey === undefined ? {} : { extract: { kind: 'jsonKey' as const, key: secretKey, field: 'secretKey' } }),
    encoding,
    optional: false,
  };
}

/**
 * The legacy format: `objects: {array: [YAML text, ...]}`, each `objectName`, `objectPath`,
 * `objectVersion`. As the provider releases that read it: the first segment of objectPath is a KV
 * mount whose version is detected, the file is named objectName, and holds the secret's objectName
 * key. objectVersion was not sent to Vault by those releases, and is not now.
 */
function readLegacy(parsed: Mapping, common: Readonly<Record<string, string>>, context: DialectContext, issues: IssueList): ObjectSpec[] {
  const list = parsed['array'];
  checkKnownKeys(parsed, ['array'], 'objects', issues);
  if (!Array.isArray(list) || list.length === 0) {
    issues.add('objects.array', 'must be a non-empty YAML list of objects: no secrets configured');
    return [];
  }
  if (common[PARAM.skipTlsVerify] === 'true' && [PARAM.caCert, PARAM.caDir, PARAM.caPem].some((key) => common[key] !== undefined)) {
    issues.add('vaultSkipTLSVerify', 'both vaultSkipTLSVerify and TLS configuration are set; use one');
  }
  return list.flatMap((item: unknown, index) => {
    const field = `objects.array[${index}]`;
    const entry = typeof item === 'string' ? parseYamlParameter(item, field, issues) : item;
    if (!isMapping(entry)) {
      if (entry !== undefined) issues.add(field, `must be a mapping with "objectName" and "objectPath", not ${describe(entry)}`);
      return [];
    }
    return readLegacyEntry(entry, field, common, context, issues) ?? [];
  });
}

function readLegacyEntry(entry: Mapping, field: string, common: Readonly<Record<string, string>>, context: DialectContext, issues: IssueList): ObjectSpec | undefined {
  const before = issues.items.length;
  checkKnownKeys(entry, LEGACY_ENTRY_KEYS, field, issues);
  const name = requiredFileName(entry, field, issues);
  const objectPath = readString(entry, 'objectPath', field, issues);
  // Often written as objectVersion: "" in guides; any string is accepted and, as in those releases, not sent.
  const version = entry['objectVersion'];
  if (version !== undefined && version !== null && typeof version !== 'string' && typeof version !== 'number') issues.add(`${field}.objectVersion`, `must be a string, not ${describe(version)}`);
  if (entry['objectPath'] === undefined || entry['objectPath'] === null) issues.add(`${field}.objectPath`, 'is required: "/<kv mount>/<path>", e.g. "/secret/db"');
  const path = objectPath?.replace(/^\/+/, '');
  if (path !== undefined) {
    const problem = vaultPathProblem(path) ?? (path.split('/').length < 2 ? `"${objectPath}" names no secret inside a mount; write "/<kv mount>/<path>"` : undefined);
    if (problem !== undefined) issues.add(`${field}.objectPath`, problem);
  }
  if (issues.items.length > before || name === undefined || path === undefined) return undefined;
  return {
    id: field,
    store: 'vault',
    locator: path,
    storeParams: { ...common, [PARAM.kvOnly]: 'true' },
    path: name,
    mode: context.permission,
    extract: { kind: 'jsonKey', key: name, field: 'objectName' },
    encoding: 'utf-8',
    optional: false,
  };
}

/** objectName: required, and the file path it names must be one the driver accepts. */
function requiredFileName(entry: Mapping, field: string, issues: IssueList): string | undefined {
  const name = readString(entry, 'objectName', field, issues);
  if (entry['objectName'] === undefined || entry['objectName'] === null) issues.add(`${field}.objectName`, 'is required: the file the secret is written to');
  const problem = name === undefined ? undefined : checkMountPath(name);
  if (problem !== undefined) issues.add(`${field}.objectName`, problem);
  return problem === undefined ? name : undefined;
}

function readArgs(entry: Mapping, field: string, issues: IssueList): string | undefined {
  const value = entry['secretArgs'];
  if (value === undefined || value === null) return undefined;
  if (isMapping(value)) return JSON.stringify(value);
  issues.add(`${field}.secretArgs`, `must be a mapping, not ${describe(value)}`);
  return undefined;
}
