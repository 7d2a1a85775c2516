/** `courier doctor`'s RBAC check: Courier's identity may do exactly what its flags need, asked with SelfSubjectAccessReviews. */
import type { KubeClient } from '../kube/kube-client.ts';
import { statusOf } from '../kube/kube-errors.ts';
import { fail, pass, skip, type CheckResult } from './doctor-report.ts';

/** One permission, as RBAC names it. */
export interface Permission {
  readonly group: string;
  readonly resource: string;
  readonly verb: string;
  /** Which flag needs it (or would need it). */
  readonly why: string;
}

/** The flags the permissions follow from. */
export interface AccessFlags {
  readonly podEvents: boolean;
  readonly mirrorSecrets: boolean;
  readonly verifyTokens: string;
}

const SECRETS = ['get', 'create', 'update', 'patch'].map((verb) => ({ group: '', resource: 'secrets', verb, why: '--mirror-secrets' }));
const EVENTS = ['create', 'patch'].map((verb) => ({ group: 'events.k8s.io', resource: 'events', verb, why: '--pod-events' }));
const TOKEN_REVIEWS = [{ group: 'authentication.k8s.io', resource: 'tokenreviews', verb: 'create', why: '--verify-tokens tokenreview' }];

/** What Courier needs with these flags, and what it must not have (a superset would read more than it needs). */
export function permissionsFor(flags: AccessFlags): { readonly needed: readonly Permission[]; readonly excess: readonly Permission[] } {
  const needed: Permission[] = [{ group: '', resource: 'serviceaccounts', verb: 'get', why: 'identity annotations (always)' }];
  const excess: Permission[] = [
    { group: '', resource: 'secrets', verb: 'list', why: 'nothing' },
    { group: '', resource: 'pods', verb: 'get', why: 'nothing' },
  ];
  (flags.podEvents ? needed : excess).push(...EVENTS);
  (flags.mirrorSecrets ? needed : excess).push(...(flags.mirrorSecrets ? SECRETS : SECRETS.slice(0, 1)));
  if (flags.verifyTokens === 'tokenreview') needed.push(...TOKEN_REVIEWS);
  return { needed, excess };
}

/**
 * Asks the API server about every permission. In the Courier pod the reviews are Courier's own; with
 * --kubeconfig they run as `impersonate` (Courier's ServiceAccount user), which the kubeconfig's user
 * must be allowed to impersonate.
 */
export async function checkAccess(kube: KubeClient, flags: AccessFlags, impersonate?: string): Promise<CheckResult> {
  const { needed, excess } = permissionsFor(flags);
  const headers = impersonate === undefined ? {} : { headers: { 'Impersonate-User': impersonate } };
  const allowed = async (permission: Permission) => {
    const body = { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { group: permission.group, resource: permission.resource, verb: permission.verb } } };
    const review = await kube.request<{ readonly status?: { readonly allowed?: boolean } }>({ method: 'POST', path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', body, ...headers });
    return review.status?.allowed === true;
  };
  let answers: boolean[];
  try {
    answers = await Promise.all([...needed, ...excess].map(allowed));
  } catch (error) {
    const forbidden = statusOf(error) === 403;
    return forbidden && impersonate !== undefined
      ? skip(`RBAC: the kubeconfig's user may not impersonate ${impersonate}`, 'run courier doctor in the Courier pod, or with a kubeconfig allowed to impersonate service accounts')
      : fail(`RBAC: access reviews failed (${error instanceof Error ? error.message : 'error'})`, 'check --kubeconfig, or run doctor in the Courier pod');
  }
  const who = impersonate ?? 'courier';
  const missing = needed.filter((_, index) => answers[index] !== true);
  const extra = excess.filter((_, index) => answers[needed.length + index] === true);
  const name = (permission: Permission) => `${permission.verb} ${permission.group === '' ? '' : `${permission.group}/`}${permission.resource}`;
  if (missing.length > 0) {
    return fail(`RBAC: ${who} may not ${missing.map((permission) => `${name(permission)} (${permission.why})`).join(', ')}`, `apply Courier's ClusterRole for these flags (manifests/base, the chart, or the mirror-secrets component), or turn the flag off`);
  }
  if (extra.length > 0) {
    return fail(`RBAC: ${who} may ${extra.map((permission) => `${name(permission)}${permission.why === 'nothing' ? '' : ` without ${permission.why}`}`).join(', ')}, more than its flags need`, 'remove the extra rules or bindings from Courier\'s service account; it reads secrets for pods only with their own identity');
  }
  return pass(`RBAC: ${who} may ${needed.map(name).join(', ')} and nothing of ${excess.map(name).join(', ')}`);
}
