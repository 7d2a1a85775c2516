/** Decodes the driver's MountRequest strings into typed values; pure, and never echoes what it reads. */
import { AuthError, ConfigError } from '../errors/courier-error.ts';
import { BudgetError } from './budgets.ts';
import type { DecodedRequest, PodInfo, ServiceAccountToken, TokenMap } from './types.ts';

/** The MountRequest as it comes off the wire. */
export interface RawMountRequest {
  readonly attributes: string;
  readonly secrets: string;
  readonly targetPath: string;
  readonly permission: string;
}

/** Attribute keys the driver adds beside the SecretProviderClass parameters. */
export const DRIVER_KEYS = {
  secretProviderClass: 'secretProviderClass',
  podName: 'csi.storage.k8s.io/pod.name',
  podNamespace: 'csi.storage.k8s.io/pod.namespace',
  podUid: 'csi.storage.k8s.io/pod.uid',
  serviceAccount: 'csi.storage.k8s.io/serviceAccount.name',
  ephemeral: 'csi.storage.k8s.io/ephemeral',
  tokens: 'csi.storage.k8s.io/serviceAccount.tokens',
} as const;

/** The mode the driver sends today (0644), used when `permission` is empty. */
export const DEFAULT_PERMISSION = 0o644;

/** Decodes a MountRequest. Throws ConfigError naming the request field at fault. */
export function decodeRequest(raw: RawMountRequest, maxParameterBytes: number = Number.POSITIVE_INFINITY): DecodedRequest {
  // Counted in UTF-16 units, before anything is parsed: a pod author writes these bytes.
  const size = raw.attributes.length + raw.secrets.length;
  if (size > maxParameterBytes) {
    throw new BudgetError(`the request's attributes and secrets are ${size} bytes, over the budget of ${maxParameterBytes} bytes per Mount`, '--max-parameter-bytes', { field: 'attributes' });
  }
  const attributes = parseStringMap(raw.attributes, 'attributes', false);
  const secrets = parseStringMap(raw.secrets, 'secrets', true);
  // Kubelet sends the tokens in the attributes, or (serviceAccountTokenInSecrets) in the secrets; an empty
  // value is absent. Whichever place kubelet does not fill is the pod author's to write (volume attributes,
  // or a nodePublishSecretRef Secret), so tokens in both places that differ are a forgery attempt.
  const inAttributes = (attributes[DRIVER_KEYS.tokens] ?? '') !== '';
  const inSecrets = (secrets[DRIVER_KEYS.tokens] ?? '') !== '';
  if (inAttributes && inSecrets && attributes[DRIVER_KEYS.tokens] !== secrets[DRIVER_KEYS.tokens]) {
    throw new AuthError(`service-account tokens arrived both in the volume attributes and in the secrets, and they differ; kubelet fills only one of them, so the other was written by the pod: remove "${DRIVER_KEYS.tokens}" from the pod's volumeAttributes or its nodePublishSecretRef Secret`, { field: `attributes["${DRIVER_KEYS.tokens}"]` });
  }
  const tokensJson = inAttributes ? attributes[DRIVER_KEYS.tokens] : secrets[DRIVER_KEYS.tokens];
  const tokenField = inAttributes ? `attributes["${DRIVER_KEYS.tokens}"]` : `secrets["${DRIVER_KEYS.tokens}"]`;
  return {
    parameters: attributes,
    secretProviderClass: attributes[DRIVER_KEYS.secretProviderClass] ?? '',
    pod: toPodInfo(attributes),
    tokens: tokensJson === undefined || tokensJson === '' ? new Map() : parseTokens(tokensJson, tokenField),
    secrets: withoutTokens(secrets),
    permission: parsePermission(raw.permission),
    targetPath: raw.targetPath,
  };
}

/** The nodePublishSecretRef data a store may read (a service principal's client secret), the tokens key left out. */
function withoutTokens(secrets: Readonly<Record<string, string>>): Record<string, string> {
  const rest: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [key, value] of Object.entries(secrets)) if (key !== DRIVER_KEYS.tokens) rest[key] = value;
  return rest;
}

function toPodInfo(attributes: Readonly<Record<string, string>>): PodInfo {
  return {
    name: attributes[DRIVER_KEYS.podName] ?? '',
    namespace: attributes[DRIVER_KEYS.podNamespace] ?? '',
    uid: attributes[DRIVER_KEYS.podUid] ?? '',
    serviceAccount: attributes[DRIVER_KEYS.serviceAccount] ?? '',
  };
}

/**
 * Parses a JSON object whose values are strings. `secrets` may be empty or `null` (no
 * nodePublishSecretRef); `attributes` must be an object. Error messages never quote the input.
 */
function parseStringMap(text: string, field: string, nullable: boolean): Record<string, string> {
  if (text.trim() === '' || (nullable && text.trim() === 'null')) {
    if (nullable) return {};
    throw new ConfigError('is empty; expected a JSON object of strings', { field });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ConfigError('is not valid JSON', { field });
  }
  if (value === null && nullable) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError('must be a JSON object of strings', { field });
  }
  const result: Record<string, string> = Object.create(null) as Record<string, string>;
  // JSON.parse makes own properties only (a "__proto__" key too), so for...in sees exactly them, without an array of pairs.
  for (const key in value) {
    const item: unknown = (value as Record<string, unknown>)[key];
    if (typeof item !== 'string') throw new ConfigError(`key "${key}" must have a string value`, { field });
    result[key] = item;
  }
  return result;
}

/** Parses kubelet's `{"<audience>": {"token": ..., "expirationTimestamp": ...}}`. */
export function parseTokens(text: string, field: string): TokenMap {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ConfigError('is not valid JSON', { field });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError('must be a JSON object keyed by audience', { field });
  }
  const tokens = new Map<string, ServiceAccountToken>();
  for (const [audience, entry] of Object.entries(value)) {
    const token: unknown = (entry as { token?: unknown } | null)?.token;
    const expiry: unknown = (entry as { expirationTimestamp?: unknown } | null)?.expirationTimestamp;
    if (typeof token !== 'string' || token === '') {
      throw new ConfigError(`audience "${audience}" has no token`, { field });
    }
    tokens.set(audience, { audience, token, expirationTimestamp: typeof expiry === 'string' ? expiry : '' });
  }
  return tokens;
}

/** Parses the driver's decimal `permission` string ("420" is 0644). */
export function parsePermission(text: string): number {
  if (text === '') return DEFAULT_PERMISSION;
  if (!/^\d{1,4}$/.test(text)) throw new ConfigError(`"${text}" is not a decimal file mode`, { field: 'permission' });
  const mode = Number(text);
  if (mode > 0o777) throw new ConfigError(`${text} (0${mode.toString(8)}) is more than 0777`, { field: 'permission' });
  return mode;
}
