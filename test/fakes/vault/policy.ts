/** ACL policies as Vault evaluates them: path rules (exact, `+` segment and trailing `*` globs) with capabilities. */

/** A Vault capability. */
export type Capability = 'create' | 'read' | 'update' | 'patch' | 'delete' | 'list' | 'sudo' | 'deny';

const CAPABILITIES: ReadonlySet<string> = new Set(['create', 'read', 'update', 'patch', 'delete', 'list', 'sudo', 'deny']);

/** One `path "..." { capabilities = [...] }` stanza. */
export interface PolicyRule {
  readonly path: string;
  readonly capabilities: readonly Capability[];
}

/** A policy written either as HCL/JSON text or as `{ "<path>": ["read", ...] }`. */
export type PolicyInput = string | Readonly<Record<string, readonly Capability[]>>;

/**
 * Parses a policy: the HCL subset Vault policies use (`path "p" { capabilities = ["read"] }`, `#`
 * and `//` comments), JSON (`{"path": {"p": {"capabilities": [...]}}}`) or a plain map.
 */
export function parsePolicy(input: PolicyInput): PolicyRule[] {
  if (typeof input !== 'string') return Object.entries(input).map(([path, capabilities]) => rule(path, capabilities));
  const text = input.trim();
  if (text.startsWith('{')) {
    const json = JSON.parse(text) as { path?: Record<string, { capabilities?: string[] }> };
    return Object.entries(json.path ?? {}).map(([path, body]) => rule(path, body.capabilities ?? []));
  }
  const rules: PolicyRule[] = [];
  const stripped = text.replace(/(^|\s)(#|\/\/)[^\n]*/g, '$1');
  for (const match of stripped.matchAll(/path\s+"([^"]*)"\s*\{([^}]*)\}/g)) {
    const list = /capabilities\s*=\s*\[([^\]]*)\]/.exec(match[2] ?? '');
    const capabilities = [...(list?.[1] ?? '').matchAll(/"([^"]*)"/g)].map((item) => item[1] ?? '');
    rules.push(rule(match[1] ?? '', capabilities));
  }
  return rules;
}

function rule(path: string, capabilities: readonly string[]): PolicyRule {
  for (const capability of capabilities) if (!CAPABILITIES.has(capability)) throw new Error(`policy path "${path}": unknown capability "${capability}"`);
  const star = path.indexOf('*');
  if (star >= 0 && star !== path.length - 1) throw new Error(`policy path "${path}": "*" is only allowed at the end`);
  return { path, capabilities: capabilities as Capability[] };
}

/** Rules with the same path merged across policies: capabilities united, `deny` overriding all. */
function merge(rules: readonly PolicyRule[]): Map<string, Set<Capability>> {
  const merged = new Map<string, Set<Capability>>();
  for (const { path, capabilities } of rules) {
    const set = merged.get(path) ?? new Set<Capability>();
    for (const capability of capabilities) set.add(capability);
    if (set.has('deny')) {
      set.clear();
      set.add('deny');
    }
    merged.set(path, set);
  }
  return merged;
}

function isGlob(path: string): boolean {
  return path.includes('*') || path.includes('+');
}

function matches(pattern: string, path: string): boolean {
  const prefix = pattern.endsWith('*');
  const body = prefix ? pattern.slice(0, -1) : pattern;
  const source = body.split('+').map((part) => part.replace(/[.*?^${}()|[\]\\]/g, '\\$&')).join('[^/]+');
  return new RegExp(`^${source}${prefix ? '.*' : ''}$`).test(path);
}

/** Vault's priority between two matching glob rules: positive when `a` wins. */
function priority(a: string, b: string): number {
  const firstWildcard = (path: string) => path.search(/[+*]/);
  if (firstWildcard(a) !== firstWildcard(b)) return firstWildcard(a) - firstWildcard(b);
  if (a.endsWith('*') !== b.endsWith('*')) return a.endsWith('*') ? -1 : 1;
  const plus = (path: string) => path.split('+').length;
  if (plus(a) !== plus(b)) return plus(b) - plus(a);
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The capabilities `rules` grant on `path` (an exact rule first, else the highest-priority glob). */
export function capabilitiesOn(rules: readonly PolicyRule[], path: string): ReadonlySet<Capability> {
  const merged = merge(rules);
  const exact = merged.get(path);
  if (exact && !isGlob(path)) return exact;
  const candidates = [...merged.keys()].filter((pattern) => isGlob(pattern) && matches(pattern, path));
  const best = candidates.sort(priority).at(-1);
  return best === undefined ? new Set() : (merged.get(best) ?? new Set());
}

/** Whether `rules` allow `capability` on `path`. */
export function allows(rules: readonly PolicyRule[], path: string, capability: Capability): boolean {
  const granted = capabilitiesOn(rules, path);
  return !granted.has('deny') && granted.has(capability);
}

/**
 * Whether any rule grants something at or below `mountPath` (`secret/`): the check behind
 * `sys/internal/ui/mounts/<path>`, which answers 403 to a token with no business on the mount.
 */
export function touchesMount(rules: readonly PolicyRule[], mountPath: string): boolean {
  for (const [pattern, capabilities] of merge(rules)) {
    if (capabilities.size === 0 || capabilities.has('deny')) continue;
    const wildcard = pattern.search(/[+*]/);
    const literal = wildcard < 0 ? pattern : pattern.slice(0, wildcard);
    if (literal.startsWith(mountPath) || (wildcard >= 0 && mountPath.startsWith(literal))) return true;
  }
  return false;
}

/** The `default` policy every token gets unless told otherwise (the parts of Vault's that matter here). */
export const DEFAULT_POLICY: PolicyInput = {
  'auth/token/lookup-self': ['read'],
  'auth/token/renew-self': ['update'],
  'auth/token/revoke-self': ['update'],
  'sys/capabilities-self': ['update'],
  'sys/leases/lookup': ['update'],
  'sys/leases/renew': ['update'],
  'sys/renew': ['update'],
  'cubbyhole/*': ['create', 'read', 'update', 'delete', 'list'],
};
