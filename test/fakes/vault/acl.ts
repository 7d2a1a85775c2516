/** Who may do what: a token's validity in a namespace and its policies' verdict on a path. */
import type { VaultNamespace } from './namespace.ts';
import { allows, touchesMount, type Capability, type PolicyRule } from './policy.ts';
import type { TokenEntry } from './tokens.ts';

/** Whether a token made in `token.namespace` may be used in `namespace` (its own or a descendant). */
export function tokenValidIn(token: TokenEntry, namespace: VaultNamespace): boolean {
  return token.namespace === '' || namespace.path === token.namespace || namespace.path.startsWith(`${token.namespace}/`);
}

/** The namespace object a token belongs to. */
function home(root: VaultNamespace, token: TokenEntry): VaultNamespace | undefined {
  let current: VaultNamespace | undefined = root;
  for (const name of token.namespace.split('/').filter((part) => part !== '')) current = current?.children.get(name);
  return current;
}

/** Every rule of the token's policies, as defined in the token's own namespace. */
function rulesOf(root: VaultNamespace, token: TokenEntry): PolicyRule[] {
  const namespace = home(root, token);
  return token.policies.flatMap((name) => namespace?.policies.get(name) ?? []);
}

/** The path a policy of the token's namespace sees: the request namespace relative to it, then the path. */
function policyPath(token: TokenEntry, namespace: VaultNamespace, path: string): string {
  const relative = token.namespace === '' ? namespace.path : namespace.path.slice(token.namespace.length + 1);
  return relative === '' ? path : `${relative}/${path}`;
}

/** Whether the token's policies grant `capability` on `path` of `namespace` (root tokens may do anything). */
export function permits(root: VaultNamespace, token: TokenEntry, namespace: VaultNamespace, path: string, capability: Capability): boolean {
  return token.root || allows(rulesOf(root, token), policyPath(token, namespace, path), capability);
}

/** Whether the token has any business on the mount at `mountPath` (`secret/`) of `namespace`. */
export function mayUseMount(root: VaultNamespace, token: TokenEntry, namespace: VaultNamespace, mountPath: string): boolean {
  return token.root || touchesMount(rulesOf(root, token), policyPath(token, namespace, mountPath));
}
