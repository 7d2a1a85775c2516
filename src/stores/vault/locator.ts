/** Vault paths: what a `vault:` locator or a secretPath may be, and where KV v2 puts `data/`. Pure. */

/**
 * Why `path` cannot be a Vault API path (without `/v1/`), or undefined. `query` says whether a `?`
 * query may follow (the Vault provider's secretPath allows one; native locators pin with `version`).
 */
export function vaultPathProblem(path: string, query = false): string | undefined {
  const [bare, rest] = splitQuery(path);
  if (!query && rest !== undefined) return `"${path}" has a query; pin a KV v2 version with "version" instead`;
  if (bare === '') return 'names no path';
  if (bare.startsWith('/')) return `"${path}" starts with "/"; write the path without it, e.g. "secret/app/db"`;
  if (/^v1\//.test(bare)) return `"${path}" starts with "v1/"; write the path without it, e.g. "secret/app/db"`;
  const segments = bare.split('/');
  if (segments.some((segment) => segment === '.' || segment === '..')) return `"${path}" has a "." or ".." segment`;
  if (segments.some((segment) => segment === '')) return `"${path}" has an empty segment ("//" or a trailing "/")`;
  if (/[\0#\s]/.test(bare)) return `"${path}" contains a space, "#" or a NUL character`;
  if (rest !== undefined && !isQuery(rest)) return `"${path}" has a query that is not name=value pairs`;
  return undefined;
}

/** A Vault provider secretPath as it is sent: leading slashes and `v1/` dropped, the query split off. */
export function apiPathOf(secretPath: string): { readonly path: string; readonly query: string | undefined } {
  const [bare, query] = splitQuery(secretPath);
  return { path: bare.replace(/^\/+/, '').replace(/^v1\/+/, ''), query: query === '' ? undefined : query };
}

function splitQuery(path: string): [string, string | undefined] {
  const at = path.indexOf('?');
  return at < 0 ? [path, undefined] : [path.slice(0, at), path.slice(at + 1)];
}

function isQuery(query: string): boolean {
  return query === '' || query.split('&').every((pair) => /^[^=&]+(=[^&]*)?$/.test(pair));
}

/**
 * How many leading segments of `locator` are the mount `mountPath` (as sys/internal/ui/mounts names
 * it, e.g. `secret/`), allowing for a namespace prefix that one of them carries and the other not;
 * undefined when the mount is not in the locator at all.
 */
export function mountSegments(locator: string, mountPath: string): number | undefined {
  const path = locator.split('/');
  const mount = mountPath.split('/').filter((segment) => segment !== '');
  if (mount.length === 0) return undefined;
  // The mount's path may carry namespace segments the locator leaves to X-Vault-Namespace, ...
  for (let drop = 0; drop < mount.length; drop += 1) {
    const tail = mount.slice(drop);
    if (startsWith(path, tail)) return tail.length;
  }
  // ... or the locator may carry a namespace prefix the mount's path does not.
  for (let offset = 1; offset + mount.length <= path.length; offset += 1) {
    if (startsWith(path.slice(offset), mount)) return offset + mount.length;
  }
  return undefined;
}

function startsWith(path: readonly string[], prefix: readonly string[]): boolean {
  return prefix.length <= path.length && prefix.every((segment, index) => path[index] === segment);
}

/**
 * The KV v2 API path of `locator` inside a mount of `segments` leading segments: `secret/app/db` →
 * `secret/data/app/db`. A locator already written with `data/` after the mount keeps it, so paths
 * copied from Vault-provider classes work too.
 */
export function kvV2DataPath(locator: string, segments: number): string {
  const path = locator.split('/');
  const inside = path.slice(segments);
  if (inside[0] === 'data' && inside.length > 1) return locator;
  return [...path.slice(0, segments), 'data', ...inside].join('/');
}

/** The locator prefix (with its trailing slash) a mount of `segments` segments covers. */
export function mountPrefix(locator: string, segments: number): string {
  return `${locator.split('/').slice(0, segments).join('/')}/`;
}
