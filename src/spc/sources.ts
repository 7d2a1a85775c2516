/** `source: <store>:<locator>` strings, store settings and default paths, read against the store catalog; pure. */
import type { CatalogSource, StoreCatalog } from './store-catalog.ts';

/** A `source` split into its source spec and locator, or why it cannot be. */
export type ParsedSource = { readonly source: CatalogSource; readonly locator: string } | { readonly error: string };

/** Splits `<store>:<locator>`; the locator may itself contain colons (ARNs do). */
export function parseSource(text: string, catalog: StoreCatalog): ParsedSource {
  const colon = text.indexOf(':');
  if (colon <= 0) return { error: `"${text}" must be <store>:<locator>, e.g. "file:demo/db.json"` };
  const name = text.slice(0, colon);
  const locator = text.slice(colon + 1);
  const source = catalog.sources.get(name);
  if (source === undefined) return { error: `unknown store "${name}"; expected one of ${[...catalog.sources.keys()].join(', ')}` };
  if (locator === '') return { error: `"${text}" has no locator after "${name}:"` };
  const problem = source.checkLocator?.(locator);
  if (problem !== undefined) return { error: problem };
  return { source, locator };
}

/**
 * The file path an object gets when its entry sets none: what the source says, otherwise the last
 * segment of the name (an ARN's or resource name's secret name).
 */
export function defaultPath(source: CatalogSource, locator: string): string {
  if (source.defaultPath) return source.defaultPath(locator);
  return lastSegment(locator);
}

/** The last `/`- or `:`-separated segment of a name, a trailing `/versions/X` left out. */
export function lastSegment(locator: string): string {
  const withoutVersion = locator.replace(/\/versions\/[^/]+$/, '');
  return withoutVersion.split(/[/:]/).filter((part) => part !== '').pop() ?? locator;
}

/** Every top-level parameter key that carries a store setting, e.g. `aws.region`. */
export function storeParameterKeys(catalog: StoreCatalog): string[] {
  const keys: string[] = [];
  for (const { prefix, parameters } of catalog.settings.values()) for (const { name } of parameters) keys.push(`${prefix}${name}`);
  return keys;
}

/** The settings for `source` taken from top-level parameters, prefix removed; values are checked by the dialect. */
export function storeParamsFor(source: CatalogSource, parameters: Readonly<Record<string, string>>): Record<string, string> {
  const params: Record<string, string> = {};
  if (source.settings === undefined) return params;
  for (const { name } of source.settings.parameters) {
    const value = parameters[`${source.settings.prefix}${name}`];
    if (value !== undefined && value !== '') params[name] = value;
  }
  return params;
}
