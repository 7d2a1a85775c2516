/** One `objects` entry of the aws dialect: validated as strictly as the AWS provider, turned into ObjectSpecs. */
import { FAILOVER_KEYS, parseArn, type AwsSource } from './settings.ts';
import { checkMountPath } from '../../output/path-rules.ts';
import { checkJmesPath, type JmesPathLimits } from '../../transform/jmespath-check.ts';
import { describe, isMapping, readFileMode, readString, type IssueList, type Mapping } from '../../spc/fields.ts';
import type { ObjectSpec } from '../../spc/types.ts';
import { canonicalEntry, readMapping, readMappingList, requireString, translatePath } from './dialect-fields.ts';
import type { DialectContext } from '../../spc/store-catalog.ts';

const ENTRY_KEYS = ['objectName', 'objectType', 'objectAlias', 'objectVersion', 'objectVersionLabel', 'filePermission', 'jmesPath', 'failoverObject', 'objectTemplate'];
const JMES_KEYS = ['path', 'objectAlias', 'filePermission'];
const FAILOVER_ENTRY_KEYS = ['objectName', 'objectVersion', 'objectVersionLabel'];
const OBJECT_TYPES: Readonly<Record<string, AwsSource>> = { secretsmanager: 'aws-sm', ssmparameter: 'aws-ssm' };
const ARN_SERVICES: Readonly<Record<string, AwsSource>> = { secretsmanager: 'aws-sm', ssm: 'aws-ssm' };

/** Settings from the top-level parameters that every entry needs. */
export interface AwsPlanSettings {
  readonly storeParams: Readonly<Record<string, string>>;
  readonly region?: string;
  readonly failoverRegion?: string;
  /** Replacement for `/` in file names; undefined when pathTranslation is "False". */
  readonly translation?: string;
}

/** What earlier entries asked for, to refuse duplicates as the AWS provider does. */
export interface SeenEntry {
  readonly id: string;
  readonly name: string;
  readonly alias: string;
  readonly label: string;
}

/** A planned file and the field its path came from (for duplicate-path messages). */
export interface PlannedFile {
  readonly object: ObjectSpec;
  readonly pathField: string;
}

/** Reads one entry: the secret's own file, plus one file per jmesPath entry (same secret, fetched once). */
export function readAwsEntry(raw: unknown, field: string, settings: AwsPlanSettings, context: DialectContext, issues: IssueList, seen: Map<string, SeenEntry>): PlannedFile[] {
  if (!isMapping(raw)) {
    issues.add(field, `must be a mapping with at least "objectName", not ${describe(raw)}`);
    return [];
  }
  const before = issues.items.length;
  const entry = canonicalEntry(raw, ENTRY_KEYS, field, issues);
  if (entry['objectTemplate'] !== undefined) issues.add(`${field}.objectTemplate`, 'is not supported by Courier; use jmesPath entries, or the native dialect\'s templates');
  const name = requireString(entry, 'objectName', field, issues, ': the secret name or ARN, or the parameter name');
  const alias = readString(entry, 'objectAlias', field, issues);
  const version = readString(entry, 'objectVersion', field, issues);
  const label = readString(entry, 'objectVersionLabel', field, issues);
  const mode = readFileMode(entry, 'filePermission', field, context.permission, issues);
  const type = readType(entry, field, issues);
  // An objectType that is given but unknown was reported by readType; '' keeps readStore from asking for one.
  const store = name === undefined ? undefined : readStore(name, type ?? (entry['objectType'] === undefined || entry['objectType'] === null ? undefined : ''), settings.region, field, 'objectName', issues);
  if (store === 'aws-ssm' && version !== undefined && label !== undefined) issues.add(`${field}.objectVersionLabel`, 'an ssmparameter takes objectVersion or objectVersionLabel, not both');
  const failover = readFailover(entry, field, { store, type, version, alias, settings }, issues);
  const jmesEntries = readMappingList(entry, 'jmesPath', field, issues) ?? [];
  if (name !== undefined) checkDuplicate({ id: field, name, alias: alias ?? '', label: label ?? '' }, seen, issues);
  const pathField = `${field}.${alias === undefined ? 'objectName' : 'objectAlias'}`;
  const path = name === undefined ? undefined : filePath(alias ?? name, settings.translation, pathField, issues);
  const extracts = jmesEntries.map((item, index) => readJmes(item, `${field}.jmesPath[${index}]`, settings.translation, mode, context.budgets, issues));
  if (issues.items.length > before || name === undefined || store === undefined || path === undefined) return [];
  const base = {
    store,
    locator: name,
    ...(version === undefined ? {} : { version }),
    ...(label === undefined ? {} : { stage: label }),
    storeParams: { ...settings.storeParams, ...failover },
    encoding: 'utf-8' as const,
    optional: false,
  };
  const files: PlannedFile[] = [{ object: { ...base, id: field, path, mode }, pathField }];
  extracts.forEach((extract, index) => {
    if (extract === undefined) return;
    const id = `${field}.jmesPath[${index}]`;
    files.push({ object: { ...base, id, path: extract.path, mode: extract.mode, extract: { kind: 'jmesPath', expression: extract.expression, field: 'path' } }, pathField: `${id}.objectAlias` });
  });
  return files;
}

/** The store from objectType and/or the ARN; both must agree, and an ARN's region must be the region. */
function readStore(name: string, type: string | undefined, region: string | undefined, field: string, key: string, issues: IssueList): AwsSource | undefined {
  const typeStore = type === undefined ? undefined : OBJECT_TYPES[type];
  if (!name.startsWith('arn:')) {
    if (type === undefined) issues.add(`${field}.objectType`, 'is required unless objectName is a full ARN');
    return typeStore;
  }
  const arn = parseArn(name);
  if (arn === undefined) {
    issues.add(`${field}.${key}`, `"${name}" is not a valid ARN`);
    return undefined;
  }
  if (region !== undefined && arn.region !== region) issues.add(`${field}.${key}`, `the ARN's region "${arn.region}" does not match the ${key === 'objectName' ? 'region' : 'failoverRegion'} "${region}"`);
  const arnStore = ARN_SERVICES[arn.service];
  if (arnStore === undefined) {
    issues.add(`${field}.${key}`, `the ARN's service "${arn.service}" is neither secretsmanager nor ssm`);
    return undefined;
  }
  if (typeStore !== undefined && typeStore !== arnStore) issues.add(`${field}.objectType`, `"${type}" does not match the ARN's service "${arn.service}"`);
  return arnStore;
}

/** Reads objectType; an unknown type is reported once, here. */
function readType(entry: Mapping, field: string, issues: IssueList): string | undefined {
  const type = readString(entry, 'objectType', field, issues);
  if (type !== undefined && OBJECT_TYPES[type] === undefined) issues.add(`${field}.objectType`, `"${type}" is not secretsmanager or ssmparameter`);
  return type === undefined || OBJECT_TYPES[type] === undefined ? undefined : type;
}

interface FailoverContext {
  readonly store: AwsSource | undefined;
  readonly type: string | undefined;
  readonly version: string | undefined;
  readonly alias: string | undefined;
  readonly settings: AwsPlanSettings;
}

/** `failoverObject`: needs failoverRegion and an objectAlias; its ARN must be in the failover region; versions must match. */
function readFailover(entry: Mapping, field: string, primary: FailoverContext, issues: IssueList): Record<string, string> {
  const raw = readMapping(entry, 'failoverObject', field, issues);
  if (raw === undefined) return {};
  const at = `${field}.failoverObject`;
  const failover = canonicalEntry(raw, FAILOVER_ENTRY_KEYS, at, issues);
  const name = requireString(failover, 'objectName', at, issues, ' in a failoverObject');
  const version = readString(failover, 'objectVersion', at, issues);
  const label = readString(failover, 'objectVersionLabel', at, issues);
  if (primary.alias === undefined) issues.add(`${field}.objectAlias`, 'is required when failoverObject is set');
  if (primary.settings.failoverRegion === undefined) issues.add(at, 'needs the failoverRegion parameter');
  if (version !== primary.version) issues.add(`${at}.objectVersion`, `must equal objectVersion (${primary.version === undefined ? 'unset' : `"${primary.version}"`}); versions must match between the regions`);
  if (primary.store === 'aws-ssm' && version !== undefined && label !== undefined) issues.add(`${at}.objectVersionLabel`, 'an ssmparameter takes objectVersion or objectVersionLabel, not both');
  if (name !== undefined && primary.store !== undefined && name.startsWith('arn:')) {
    const store = readStore(name, primary.type, primary.settings.failoverRegion, field, 'failoverObject.objectName', issues);
    if (store !== undefined && store !== primary.store) issues.add(`${at}.objectName`, 'must be the same kind of object as objectName');
  }
  return {
    ...(name === undefined ? {} : { [FAILOVER_KEYS.locator]: name }),
    ...(version === undefined ? {} : { [FAILOVER_KEYS.version]: version }),
    ...(label === undefined ? {} : { [FAILOVER_KEYS.stage]: label }),
  };
}

/** One jmesPath entry: path and objectAlias are required; the expression must compile. */
function readJmes(raw: Mapping, field: string, translation: string | undefined, parentMode: number, limits: JmesPathLimits, issues: IssueList): { path: string; expression: string; mode: number } | undefined {
  const entry = canonicalEntry(raw, JMES_KEYS, field, issues);
  const expression = requireString(entry, 'path', field, issues, ': the JMESPath expression to extract');
  const alias = requireString(entry, 'objectAlias', field, issues, ': the file name of the extracted value');
  const mode = readFileMode(entry, 'filePermission', field, parentMode, issues);
  const problem = expression === undefined ? undefined : checkJmesPath(expression, limits);
  if (problem !== undefined) {
    issues.add(`${field}.path`, problem);
    return undefined;
  }
  const path = alias === undefined ? undefined : filePath(alias, translation, `${field}.objectAlias`, issues);
  return expression === undefined || path === undefined ? undefined : { path, expression, mode };
}


/** The translated file name; `..` is refused anywhere (even where the AWS provider only checks some forms). */
function filePath(name: string, translation: string | undefined, field: string, issues: IssueList): string | undefined {
  const path = translatePath(name, translation);
  if (/(^|\/)\.\.(\/|$)/.test(path)) {
    issues.add(field, `"${name}" would leave the mount through ".."`);
    return undefined;
  }
  const problem = checkMountPath(path);
  if (problem !== undefined) {
    issues.add(field, `${problem} (the file name is "${path}")`);
    return undefined;
  }
  return path;
}

/** Same objectName, alias and version label as an earlier entry would mount the same thing twice; a map keeps this linear. */
function checkDuplicate(entry: SeenEntry, seen: Map<string, SeenEntry>, issues: IssueList): void {
  const key = JSON.stringify([entry.name, entry.alias, entry.label]);
  const earlier = seen.get(key);
  if (earlier) issues.add(`${entry.id}.objectName`, `"${entry.name}" is also ${earlier.id}'s objectName with the same objectAlias and objectVersionLabel`);
  else seen.set(key, entry);
}
