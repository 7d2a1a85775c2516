/** Pod-token signature checks through the Kubernetes API: TokenReview (`--verify-tokens tokenreview`) and the issuer's JWKS (`jwks`). */
import { createHash } from 'node:crypto';
import type { JSONWebKeySet } from 'jose';
import { AuthError } from '../errors/courier-error.ts';
import { ExpiringMemo } from '../identity/expiring-memo.ts';
import type { KeySource } from '../identity/jwks-verifier.ts';
import type { TokenVerifier } from '../identity/token-verifier.ts';
import type { KubeClient } from './kube-client.ts';
import { toKubeError } from './kube-errors.ts';

/** The fields of a TokenReview's answer Courier reads. */
interface TokenReview {
  readonly status?: { readonly authenticated?: boolean; readonly user?: { readonly username?: string }; readonly error?: string };
}

/** How long a TokenReview answer is reused for the same token (the API server caches its own for ~10 s). */
const REVIEW_TTL_MS = 60_000;
const MAX_REVIEWS = 10_000;

/**
 * Asks the API server whether each pod token is genuine, for its audience, and the pod's service
 * account. Answers are remembered by a hash of the token (never the token) for up to a minute or
 * until the token expires, so a republish does not cost an API call. Needs RBAC `create tokenreviews`.
 */
export function tokenReviewVerifier(kube: () => Promise<KubeClient>, now: () => number = Date.now): TokenVerifier {
  const reviews = new ExpiringMemo<true>(MAX_REVIEWS, now);
  return {
    mode: 'tokenreview',
    async verify(token, signal) {
      const key = createHash('sha256').update(token.audience).update('\0').update(token.token).digest('base64');
      await reviews.get(key, async () => {
        const client = await kube();
        const body = { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: token.token, audiences: [token.audience] } };
        const review = await client.request<TokenReview>({ method: 'POST', path: '/apis/authentication.k8s.io/v1/tokenreviews', body }, signal).catch((error: unknown) => {
          throw toKubeError(error, { verb: 'create', resource: 'tokenreviews', group: 'authentication.k8s.io', namespace: '', name: '' });
        });
        const username = review.status?.user?.username;
        const expected = `system:serviceaccount:${token.namespace}:${token.serviceAccount}`;
        if (review.status?.authenticated !== true || username !== expected) {
          throw new AuthError(`the API server's TokenReview did not accept the token for audience "${token.audience}" of ${token.namespace}/${token.serviceAccount}${review.status?.error ? ` (${review.status.error})` : ''}`);
        }
        return { value: true, until: Math.min(now() + REVIEW_TTL_MS, token.expiresAt) };
      });
    },
  };
}

/** The service-account issuer's public keys, read from the API server (`GET /openid/v1/jwks`). */
export function clusterKeySource(kube: () => Promise<KubeClient>): KeySource {
  return {
    description: 'the Kubernetes API (/openid/v1/jwks)',
    async keys(signal) {
      const client = await kube();
      return client.request<JSONWebKeySet>({ method: 'GET', path: '/openid/v1/jwks' }, signal).catch((error: unknown) => {
        throw toKubeError(error, { verb: 'get', resource: '/openid/v1/jwks', namespace: '', name: '' });
      });
    },
  };
}
