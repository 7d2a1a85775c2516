/** Store names in `source:` strings, and the static checks of each store's locators. */
import { checkMountPath } from '../output/path-rules.ts';
import { STORE_NAMES, type StoreName } from './types.ts';

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
    const problem = checkMountPath(locator);
    return problem === undefined ? undefined : `file locator ${problem.replace('the mount', 'the local store')}`;
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
