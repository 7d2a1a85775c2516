/** Store names in `source:` strings, and the static checks of each store's locators. */
import { parseSecretVersionName } from '../backends/gcp-locator.ts';
import { checkMountPath } from '../output/path-rules.ts';
import { STORE_NAMES, type StoreName } from './types.ts';

/**
 * Store settings a native SecretProviderClass gives as top-level parameters, by prefix: `aws.region`
 * applies to every aws-sm and aws-ssm object. Each store lists the keys it understands (without the
 * prefix); any other key with a known prefix is reported as unknown.
 */
export const STORE_PARAMETERS: Readonly<Record<StoreName, { readonly prefix: string; readonly keys: readonly string[] }>> = {
  file: { prefix: 'file.', keys: [] },
  'aws-sm': { prefix: 'aws.', keys: ['region', 'failoverRegion', 'usePodIdentity', 'preferredAddressType'] },
  'aws-ssm': { prefix: 'aws.', keys: ['region', 'failoverRegion', 'usePodIdentity', 'preferredAddressType'] },
  'gcp-sm': { prefix: 'gcp.', keys: ['auth'] },
  vault: { prefix: 'vault.', keys: [] },
};

/** Every top-level parameter key that carries a store setting, e.g. `aws.region`. */
export function storeParameterKeys(): string[] {
  const keys = new Set<string>();
  for (const { prefix, keys: names } of Object.values(STORE_PARAMETERS)) for (const name of names) keys.add(`${prefix}${name}`);
  return [...keys];
}

/** The settings for `store` taken from top-level parameters, prefix removed. */
export function storeParamsFor(store: StoreName, parameters: Readonly<Record<string, string>>): Record<string, string> {
  const { prefix, keys } = STORE_PARAMETERS[store];
  const params: Record<string, string> = {};
  for (const key of keys) {
    const value = parameters[`${prefix}${key}`];
    if (value !== undefined) params[key] = value;
  }
  return params;
}

/** A `source` split into store and locator, or why it cannot be. */
export type ParsedSource = { readonly store: StoreName; readonly locator: string } | { readonly error: string };

/** Splits `<store>:<locator>`; the locator may itself contain colons (ARNs do). */
export function parseSource(source: string): ParsedSource {
  const colon = source.indexOf(':');
  if (colon <= 0) return { error: `"${source}" must be <store>:<locator>, e.g. "file:demo/db.json"` };
  const store = source.slice(0, colon);
  const locator = source.slice(colon + 1);
  if (!isStoreName(store)) return { error: `unknown store "${store}"; expected one of ${STORE_NAMES.join(', ')}` };
  if (locator === '') return { error: `"${source}" has no locator after "${store}:"` };
  const locatorError = checkLocator(store, locator);
  if (locatorError !== undefined) return { error: locatorError };
  return { store, locator };
}

export function isStoreName(name: string): name is StoreName {
  return (STORE_NAMES as readonly string[]).includes(name);
}

/** Static checks of a locator that need no I/O. */
function checkLocator(store: StoreName, locator: string): string | undefined {
  if (store === 'file') {
    const problem = checkMountPath(locator, 'the local store');
    return problem === undefined ? undefined : `file locator ${problem}`;
  }
  if (store === 'gcp-sm') {
    const parsed = parseSecretVersionName(locator);
    return 'error' in parsed ? parsed.error : undefined;
  }
  return undefined;
}

/**
 * The file path an object gets when its entry sets none: the locator's own relative path for the
 * local store, otherwise the last segment of the name (an ARN's or resource name's secret name).
 */
export function defaultPath(store: StoreName, locator: string): string {
  if (store === 'file') return locator;
  const withoutVersion = locator.replace(/\/versions\/[^/]+$/, '');
  const tail = withoutVersion.split(/[/:]/).filter((part) => part !== '').pop();
  return tail ?? locator;
}
