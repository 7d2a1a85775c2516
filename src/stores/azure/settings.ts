/** The azure-kv store's parameters — identity settings and per-object options — with their checks and their reading from a request; pure. */
import { ConfigError } from '../../errors/courier-error.ts';
import type { FetchRequest } from '../backend.ts';
import { cloudNamed, type AzureCloud } from './clouds.ts';
import { describeReference, parseLocator, versionProblem, type ObjectReference } from './names.ts';

/** Identity settings, the same in both dialects (`azure.tenantID` natively, `tenantID` in the azure dialect). */
export const AZURE_SETTING_KEYS = ['tenantID', 'clientID', 'cloudName', 'useVMManagedIdentity', 'userAssignedIdentityID'] as const;
export type AzureSettingKey = (typeof AZURE_SETTING_KEYS)[number];

/** Per-object options: `format` and `part` for a certificate's secret, `versionIndex` for older versions. */
export const AZURE_OBJECT_KEYS = ['format', 'part', 'versionIndex'] as const;
export const CERTIFICATE_FORMATS = ['pem', 'pfx'] as const;
export const CERTIFICATE_PARTS = ['key', 'cert', 'chain'] as const;
export type CertificatePart = (typeof CERTIFICATE_PARTS)[number];

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const DOMAIN = /^(?=.{4,253}$)[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)+$/;
/** Go's strconv.ParseBool, which the Azure provider reads its switches with. */
const GO_BOOLEANS: Readonly<Record<string, boolean>> = { 1: true, t: true, T: true, TRUE: true, true: true, True: true, 0: false, f: false, F: false, FALSE: false, false: false, False: false };
/** The most versions `versionIndex` (and `objectVersionHistory`) may reach back: Key Vault lists 25 per page. */
export const MAX_VERSION_INDEX = 99;

/** A Go boolean, or undefined when `value` is none. */
export function parseGoBoolean(value: string): boolean | undefined {
  return GO_BOOLEANS[value.trim()];
}

/** Why `value` cannot be the setting `key`, or undefined. */
export function checkAzureSetting(key: AzureSettingKey, value: string): string | undefined {
  switch (key) {
    case 'tenantID':
      return GUID.test(value) || DOMAIN.test(value) ? undefined : `"${value}" is not a tenant: a directory (tenant) ID or a verified domain such as contoso.onmicrosoft.com`;
    case 'clientID':
    case 'userAssignedIdentityID':
      return GUID.test(value) ? undefined : `"${value}" is not a client ID (a GUID such as 00000000-0000-0000-0000-000000000000)`;
    case 'cloudName': {
      const cloud = cloudNamed(value);
      return 'error' in cloud ? cloud.error : undefined;
    }
    case 'useVMManagedIdentity':
      return parseGoBoolean(value) === undefined ? `"${value}" is not true or false` : undefined;
  }
}

/** Why `value` cannot be the per-object option `key`, or undefined. */
export function checkObjectOption(key: (typeof AZURE_OBJECT_KEYS)[number], value: string): string | undefined {
  if (key === 'format') return (CERTIFICATE_FORMATS as readonly string[]).includes(value.toLowerCase()) ? undefined : `"${value}" is not pem or pfx`;
  if (key === 'part') return (CERTIFICATE_PARTS as readonly string[]).includes(value.toLowerCase()) ? undefined : `"${value}" is not one of ${CERTIFICATE_PARTS.join(', ')}`;
  return /^\d+$/.test(value) && Number(value) <= MAX_VERSION_INDEX ? undefined : `"${value}" is not a version index from 0 (the newest) to ${MAX_VERSION_INDEX}`;
}

/** The identity settings of a request, checked. */
export interface AzureSettings {
  readonly cloud: AzureCloud;
  readonly tenantId?: string;
  readonly clientId?: string;
  readonly useVMManagedIdentity: boolean;
  readonly userAssignedIdentityId?: string;
}

/** What one request reads: the object, and how its contents are shaped. */
export interface AzureTarget {
  readonly reference: ObjectReference;
  /** `pfx`: a certificate's secret as Key Vault stores it; `pem` (default): key and chain as PEM. */
  readonly format: 'pem' | 'pfx';
  readonly part?: CertificatePart;
  /** 0 is the newest enabled version (or the pinned one), 1 the one before, ...; absent reads the version directly. */
  readonly versionIndex?: number;
  /** For messages: `secret "db" in key vault kv`. */
  readonly what: string;
}

/** Reads and checks a request's settings. Throws ConfigError naming the setting. */
export function readSettings(request: FetchRequest): AzureSettings {
  const params = request.storeParams;
  for (const key of AZURE_SETTING_KEYS) {
    const value = params[key];
    const problem = value === undefined ? undefined : checkAzureSetting(key, value);
    if (problem !== undefined) throw new ConfigError(problem, { field: key });
  }
  const cloud = cloudNamed(params['cloudName']) as AzureCloud;
  return {
    cloud,
    ...optional('tenantId', params['tenantID']),
    ...optional('clientId', params['clientID']),
    useVMManagedIdentity: parseGoBoolean(params['useVMManagedIdentity'] ?? 'false') === true,
    ...optional('userAssignedIdentityId', params['userAssignedIdentityID']),
  };
}

/** Reads and checks what a request asks for. Throws ConfigError. */
export function readTarget(request: FetchRequest): AzureTarget {
  const parsed = parseLocator(request.locator);
  if ('error' in parsed) throw new ConfigError(parsed.error, { field: 'source' });
  if (request.stage !== undefined) throw new ConfigError('Key Vault has no stages; pin a version instead', { field: 'stage' });
  const pinned = request.version === undefined || request.version === 'latest' ? parsed.version : request.version.toLowerCase();
  const pinProblem = pinned === undefined ? undefined : versionProblem(pinned);
  if (pinProblem !== undefined) throw new ConfigError(pinProblem, { field: 'version' });
  if (parsed.version !== undefined && pinned !== parsed.version) throw new ConfigError(`version "${request.version ?? ''}" differs from the version in the source`, { field: 'version' });
  const reference: ObjectReference = { ...parsed, ...(pinned === undefined ? {} : { version: pinned }) };
  for (const key of AZURE_OBJECT_KEYS) {
    const value = request.storeParams[key];
    const problem = value === undefined ? undefined : checkObjectOption(key, value);
    if (problem !== undefined) throw new ConfigError(problem, { field: key });
  }
  const format = request.storeParams['format']?.toLowerCase() === 'pfx' ? 'pfx' : 'pem';
  const part = request.storeParams['part']?.toLowerCase() as CertificatePart | undefined;
  const index = request.storeParams['versionIndex'];
  if (reference.kind !== 'secrets' && (part !== undefined || format === 'pfx')) throw new ConfigError(`"${part === undefined ? 'format' : 'part'}" applies to the secret of a certificate (secrets/<name>), not to ${reference.kind}`, { field: part === undefined ? 'format' : 'part' });
  if (part !== undefined && format === 'pfx') throw new ConfigError('"part" splits the PEM form; it cannot be used with format pfx', { field: 'part' });
  return { reference, format, ...(part === undefined ? {} : { part }), ...(index === undefined ? {} : { versionIndex: Number(index) }), what: describeReference(reference) };
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined || value === '' ? {} : ({ [key]: value } as Record<K, string>);
}
