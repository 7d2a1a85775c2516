/** Picks the pod's token for an audience and checks, before anything is served for it, that it is signed, current, for that audience and the pod's own. */
import { decodeProtectedHeader } from 'jose/decode/protected_header';
import { decodeJwt } from 'jose/jwt/decode';
import { AuthError } from '../errors/courier-error.ts';
import { DRIVER_KEYS } from '../spc/decode-request.ts';
import type { PodInfo, ServiceAccountToken, TokenMap } from '../spc/types.ts';

/** A pod token whose claims agree with the request. */
export interface PodToken extends ServiceAccountToken {
  readonly namespace: string;
  readonly serviceAccount: string;
  /** Expiry from the token's `exp` claim, in epoch milliseconds. */
  readonly expiresAt: number;
  /** The `iss` claim ('' when absent), for signature verification. */
  readonly issuer: string;
}

/** How far a token's `nbf` may lie in the future before it is refused (clocks of nodes and API server differ a little). */
const NOT_BEFORE_SKEW_MS = 60_000;

/**
 * Returns the pod's token for `audience`. Missing tokens give UNAUTHENTICATED telling the
 * administrator which `tokenRequests` audience to add to the CSIDriver. Every call checks the token
 * itself, cached values or not: it must carry a signature algorithm (never `alg: none`), name
 * `audience` in `aud` (so a token requested for one store is not accepted under another's key), not
 * be expired (`exp`, required: kubelet's tokens always carry one), and name the same namespace and
 * service account as the request's attributes (which kubelet sets), so a request cannot borrow another
 * workload's identity. The signature itself is checked by a TokenVerifier when the administrator turns
 * one on (token-verifier.ts), and always by the store the token is exchanged at.
 */
export function podTokenFor(tokens: TokenMap, audience: string, pod: PodInfo, store: string, now: number = Date.now()): PodToken {
  const token = tokens.get(audience);
  if (!token) {
    const have = tokens.size === 0 ? 'the request carried no service-account tokens' : `the request has tokens for ${[...tokens.keys()].map((a) => `"${a}"`).join(', ')}`;
    throw new AuthError(
      `${store} needs the pod's service-account token for audience "${audience}", but ${have}; add {audience: "${audience}"} to tokenRequests of the secrets-store.csi.k8s.io CSIDriver`,
    );
  }
  const claims = readClaims(token.token, audience);
  if (!claims.audiences.includes(audience)) {
    throw new AuthError(`the token sent for audience "${audience}" is for ${claims.audiences.length === 0 ? 'no audience' : claims.audiences.map((a) => `"${a}"`).join(', ')}; the driver must request it for "${audience}"`);
  }
  if (claims.expiresAt <= now) throw new AuthError(`the token for audience "${audience}" expired at ${new Date(claims.expiresAt).toISOString()}; kubelet sends a fresh one with the next Mount`);
  if (claims.notBefore > now + NOT_BEFORE_SKEW_MS) throw new AuthError(`the token for audience "${audience}" is not valid before ${new Date(claims.notBefore).toISOString()}; check the node's clock`);
  const where = `${DRIVER_KEYS.podNamespace}, ${DRIVER_KEYS.serviceAccount}`;
  if (pod.namespace === '' || pod.serviceAccount === '') {
    throw new AuthError(`the request names no pod namespace or service account (${where}), so the token for audience "${audience}" cannot be checked against them`);
  }
  if (claims.namespace !== pod.namespace || claims.serviceAccount !== pod.serviceAccount) {
    throw new AuthError(
      `the token for audience "${audience}" belongs to ${claims.namespace}/${claims.serviceAccount}, but the request is for ${pod.namespace}/${pod.serviceAccount} (${where})`,
    );
  }
  return { ...token, namespace: claims.namespace, serviceAccount: claims.serviceAccount, expiresAt: claims.expiresAt, issuer: claims.issuer };
}

interface Claims {
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly audiences: readonly string[];
  readonly expiresAt: number;
  readonly notBefore: number;
  readonly issuer: string;
}

/** The claims Courier checks, from a Kubernetes service-account JWT (`kubernetes.io` claim or `sub`). */
function readClaims(jwt: string, audience: string): Claims {
  let claims: Record<string, unknown>;
  let algorithm: unknown;
  try {
    algorithm = decodeProtectedHeader(jwt).alg;
    claims = decodeJwt(jwt);
  } catch {
    throw new AuthError('the pod\'s service-account token is not a JWT');
  }
  if (typeof algorithm !== 'string' || algorithm === '' || algorithm.toLowerCase() === 'none') {
    throw new AuthError(`the token for audience "${audience}" is unsigned (alg "${String(algorithm)}"); Courier accepts only tokens the cluster signed`);
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
  const exp = claims['exp'];
  if (typeof exp !== 'number' || !Number.isFinite(exp)) throw new AuthError(`the token for audience "${audience}" has no expiry (exp); Courier accepts only the bound tokens kubelet requests`);
  const aud = claims['aud'];
  const audiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud.filter((item): item is string => typeof item === 'string') : [];
  const nbf = claims['nbf'];
  const issuer = claims['iss'];
  return { namespace, serviceAccount, audiences, expiresAt: exp * 1000, notBefore: typeof nbf === 'number' ? nbf * 1000 : 0, issuer: typeof issuer === 'string' ? issuer : '' };
}
