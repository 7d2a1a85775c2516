/** Picks the pod's token for an audience and checks that it belongs to the pod the request names. */
import { decodeJwt } from 'jose';
import { AuthError } from '../errors/courier-error.ts';
import { DRIVER_KEYS } from '../spc/decode-request.ts';
import type { PodInfo, ServiceAccountToken, TokenMap } from '../spc/types.ts';

/** A pod token whose claims agree with the request. */
export interface PodToken extends ServiceAccountToken {
  readonly namespace: string;
  readonly serviceAccount: string;
  /** Expiry from the token's `exp` claim, in epoch milliseconds (0 when absent). */
  readonly expiresAt: number;
}

/**
 * Returns the pod's token for `audience`. Missing tokens give UNAUTHENTICATED telling the
 * administrator which `tokenRequests` audience to add to the CSIDriver. The token's claims must
 * name the same namespace and service account as the request's attributes: a pod author can
 * override parameters, and this keeps a request from borrowing another workload's identity.
 * The signature is not verified here; the store (STS, Google STS, Vault) verifies it.
 */
export function podTokenFor(tokens: TokenMap, audience: string, pod: PodInfo, store: string): PodToken {
  const token = tokens.get(audience);
  if (!token) {
    const have = tokens.size === 0 ? 'the request carried no service-account tokens' : `the request has tokens for ${[...tokens.keys()].map((a) => `"${a}"`).join(', ')}`;
    throw new AuthError(
      `${store} needs the pod's service-account token for audience "${audience}", but ${have}; add {audience: "${audience}"} to tokenRequests of the secrets-store.csi.k8s.io CSIDriver`,
    );
  }
  const claims = readClaims(token.token);
  const where = `${DRIVER_KEYS.podNamespace}, ${DRIVER_KEYS.serviceAccount}`;
  if (pod.namespace === '' || pod.serviceAccount === '') {
    throw new AuthError(`the request names no pod namespace or service account (${where}), so the token for audience "${audience}" cannot be checked against them`);
  }
  if (claims.namespace !== pod.namespace || claims.serviceAccount !== pod.serviceAccount) {
    throw new AuthError(
      `the token for audience "${audience}" belongs to ${claims.namespace}/${claims.serviceAccount}, but the request is for ${pod.namespace}/${pod.serviceAccount} (${where})`,
    );
  }
  return { ...token, ...claims };
}

/** Namespace and service account from a Kubernetes service-account JWT (`kubernetes.io` claim or `sub`). */
function readClaims(jwt: string): { namespace: string; serviceAccount: string; expiresAt: number } {
  let claims: Record<string, unknown>;
  try {
    claims = decodeJwt(jwt);
  } catch {
    throw new AuthError('the pod\'s service-account token is not a JWT');
  }
  const kubernetes = claims['kubernetes.io'] as { namespace?: unknown; serviceaccount?: { name?: unknown } } | undefined;
  let namespace = typeof kubernetes?.namespace === 'string' ? kubernetes.namespace : '';
  let serviceAccount = typeof kubernetes?.serviceaccount?.name === 'string' ? kubernetes.serviceaccount.name : '';
  const subject = typeof claims['sub'] === 'string' ? claims['sub'].split(':') : [];
  if ((!namespace || !serviceAccount) && subject.length === 4 && subject[0] === 'system' && subject[1] === 'serviceaccount') {
    namespace = subject[2] ?? '';
    serviceAccount = subject[3] ?? '';
  }
  if (!namespace || !serviceAccount) throw new AuthError('the pod\'s service-account token names no namespace and service account');
  return { namespace, serviceAccount, expiresAt: typeof claims['exp'] === 'number' ? claims['exp'] * 1000 : 0 };
}
