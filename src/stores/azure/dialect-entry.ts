/** One object of the azure dialect's `objects.array`, checked as the Azure provider checks it and turned into ObjectSpecs. */
import { checkMountPath } from '../../output/path-rules.ts';
import { checkKnownKeys, type IssueList, type Mapping } from '../../spc/fields.ts';
import { ENCODINGS, type Encoding, type ObjectSpec } from '../../spc/types.ts';
import { readText } from './dialect-yaml.ts';
import { kindOfType, objectNameProblem, versionProblem } from './names.ts';
import { MAX_VERSION_INDEX } from './settings.ts';

/** The keys of an Azure provider object (Go's yaml matches them case-sensitively). */
export const AZURE_ENTRY_KEYS = ['objectName', 'objectType', 'objectAlias', 'objectVersion', 'objectVersionHistory', 'objectFormat', 'objectEncoding', 'filePermission'] as const;

/** What every entry shares: the vault, the identity settings and the request's default mode. */
export interface AzureEntryContext {
  readonly vault: string | undefined;
  readonly storeParams: Readonly<Record<string, string>>;
  readonly permission: number;
}

/** A planned file and the field its path came from (for duplicate-path messages). */
export interface AzurePlannedFile {
  readonly object: ObjectSpec;
  readonly pathField: string;
}

/**
 * Reads one entry. One file, or with `objectVersionHistory: N` (N > 1) the files `<alias>/0` ...
 * `<alias>/N-1`, newest first; the versions past the first may be missing (fewer exist), so they are
 * optional. Object version ids are `<objectType>/<objectName>[/<index>]`, as the Azure provider reports.
 */
export function readAzureEntry(entry: Mapping, field: string, context: AzureEntryContext, issues: IssueList): AzurePlannedFile[] {
  const before = issues.items.length;
  checkKnownKeys(entry, AZURE_ENTRY_KEYS, field, issues);
  const name = readText(entry, 'objectName', field, issues);
  if (name === undefined && entry['objectName'] === undefined) issues.add(`${field}.objectName`, 'is required: the name of the Key Vault secret, key or certificate');
  else if (name !== undefined && objectNameProblem(name) !== undefined) issues.add(`${field}.objectName`, objectNameProblem(name) ?? '');
  const type = readText(entry, 'objectType', field, issues);
  const kind = type === undefined ? undefined : kindOfType(type);
  if (type === undefined) issues.add(`${field}.objectType`, 'is required: secret, key or cert');
  else if (kind === undefined) issues.add(`${field}.objectType`, `"${type}" is not secret, key or cert`);
  const version = readText(entry, 'objectVersion', field, issues);
  const pinned = version === undefined || version.toLowerCase() === 'latest' ? undefined : version;
  if (pinned !== undefined && versionProblem(pinned) !== undefined) issues.add(`${field}.objectVersion`, versionProblem(pinned) ?? '');
  const format = readChoice(entry, 'objectFormat', ['pem', 'pfx'], field, issues);
  const encoding = readChoice(entry, 'objectEncoding', ENCODINGS, field, issues) as Encoding | undefined;
  if (kind !== undefined && kind !== 'secrets' && format === 'pfx') issues.add(`${field}.objectFormat`, 'pfx applies to objectType secret (the secret of a certificate); a cert object is the leaf certificate as PEM');
  if (kind !== undefined && kind !== 'secrets' && encoding !== undefined) issues.add(`${field}.objectEncoding`, 'applies only to objectType secret');
  const mode = readPermission(entry, field, context.permission, issues);
  const history = readHistory(entry, field, issues);
  const alias = readText(entry, 'objectAlias', field, issues);
  const pathField = `${field}.${alias === undefined ? 'objectName' : 'objectAlias'}`;
  const base = alias ?? name;
  const pathProblem = base === undefined ? undefined : checkMountPath(base);
  if (pathProblem !== undefined) issues.add(pathField, pathProblem);
  if (issues.items.length > before || name === undefined || type === undefined || kind === undefined || base === undefined || context.vault === undefined) return [];
  const common = {
    store: 'azure-kv',
    locator: `${context.vault}/${kind}/${name}`,
    ...(pinned === undefined ? {} : { version: pinned.toLowerCase() }),
    mode,
    encoding: encoding ?? 'utf-8',
  };
  const storeParams = { ...context.storeParams, ...(format === 'pfx' ? { format: 'pfx' } : {}) };
  if (history <= 1) return [{ object: { ...common, id: field, storeParams, path: base, optional: false, versionId: `${type}/${name}` }, pathField }];
  return Array.from({ length: history }, (_, index) => ({
    object: { ...common, id: `${field}.objectVersionHistory[${index}]`, storeParams: { ...storeParams, versionIndex: String(index) }, path: `${base}/${index}`, optional: index > 0, versionId: `${type}/${name}/${index}` },
    pathField,
  }));
}

/** An optional choice, compared case-insensitively as the Azure provider does; unset when absent or empty. */
function readChoice(entry: Mapping, key: string, choices: readonly string[], field: string, issues: IssueList): string | undefined {
  const value = readText(entry, key, field, issues);
  if (value === undefined) return undefined;
  const match = choices.find((choice) => choice === value.toLowerCase());
  if (match === undefined) issues.add(`${field}.${key}`, `"${value}" is not one of ${choices.join(', ')}`);
  return match;
}

/** `filePermission`: octal digits as the Azure provider parses them (`0644`, `644`); default the request's mode. */
function readPermission(entry: Mapping, field: string, fallback: number, issues: IssueList): number {
  const value = readText(entry, 'filePermission', field, issues);
  if (value === undefined) return fallback;
  const mode = /^[0-7]{1,4}$/.test(value) ? Number.parseInt(value, 8) : Number.NaN;
  if (Number.isNaN(mode) || mode > 0o777) {
    issues.add(`${field}.filePermission`, `"${value}" must be an octal file mode of at most 0777, such as "0644"`);
    return fallback;
  }
  return mode;
}

/** `objectVersionHistory`: how many versions to mount (0 and 1 mean one file, as the Azure provider treats them). */
function readHistory(entry: Mapping, field: string, issues: IssueList): number {
  const value = readText(entry, 'objectVersionHistory', field, issues);
  if (value === undefined) return 1;
  if (!/^\d+$/.test(value) || Number(value) > MAX_VERSION_INDEX + 1) {
    issues.add(`${field}.objectVersionHistory`, `"${value}" must be a whole number of versions from 0 to ${MAX_VERSION_INDEX + 1}`);
    return 1;
  }
  return Number(value);
}
