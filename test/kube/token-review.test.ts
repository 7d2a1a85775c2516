import test from 'ava';
import { AuthError, PermissionError } from '../../src/errors/courier-error.ts';
import type { PodToken } from '../../src/identity/pod-token.ts';
import { createKubeClient } from '../../src/kube/kube-client.ts';
import { clusterKeySource, tokenReviewVerifier } from '../../src/kube/token-review.ts';
import { useFakeKubeApi, type FakeKubeApi } from '../fakes/kube-api.ts';

// --verify-tokens tokenreview and jwks through Courier's client, against the fake API server.

const EXPIRES = Date.now() + 3_600_000;
const TOKEN: PodToken = { token: 'pod-token', expirationTimestamp: new Date(EXPIRES).toISOString(), audience: 'sts.amazonaws.com', namespace: 'team-a', serviceAccount: 'app', expiresAt: EXPIRES, issuer: 'https://kubernetes.default.svc' };

function verifier(api: FakeKubeApi) {
  const kube = createKubeClient({ kubeconfig: api.kubeconfig });
  return tokenReviewVerifier(() => Promise.resolve(kube));
}

test('a token the API server reviews as the pod\'s service account passes, and the answer is reused', async (t) => {
  const api = await useFakeKubeApi(t);
  api.trustToken('pod-token', 'system:serviceaccount:team-a:app', ['sts.amazonaws.com']);
  const check = verifier(api);
  await check.verify(TOKEN);
  await check.verify(TOKEN);
  t.is(api.count('POST', 'tokenreviews'), 1);
});

test('a token of another service account is refused', async (t) => {
  const api = await useFakeKubeApi(t);
  api.trustToken('pod-token', 'system:serviceaccount:team-a:other', ['sts.amazonaws.com']);
  const error = await t.throwsAsync(verifier(api).verify(TOKEN), { instanceOf: AuthError });
  t.is(error.message, 'the API server\'s TokenReview did not accept the token for audience "sts.amazonaws.com" of team-a/app');
});

test('a token the API server does not accept is refused with its error', async (t) => {
  const api = await useFakeKubeApi(t);
  const error = await t.throwsAsync(verifier(api).verify(TOKEN), { instanceOf: AuthError });
  t.is(error.message, 'the API server\'s TokenReview did not accept the token for audience "sts.amazonaws.com" of team-a/app ([invalid bearer token, square/go-jose: error in cryptographic primitive])');
  t.false(error.message.includes('pod-token'));
});

test('without RBAC for TokenReviews the error names the permission', async (t) => {
  const api = await useFakeKubeApi(t);
  api.forbid('create', 'tokenreviews');
  await t.throwsAsync(verifier(api).verify(TOKEN), { instanceOf: PermissionError, message: /refused to let courier create tokenreviews/ });
});

test('the issuer\'s keys are read from /openid/v1/jwks', async (t) => {
  const api = await useFakeKubeApi(t);
  const jwks = { keys: [{ kty: 'RSA', kid: 'k1', use: 'sig', alg: 'RS256', n: 'AQAB', e: 'AQAB' }] };
  api.setJwks(jwks);
  const kube = createKubeClient({ kubeconfig: api.kubeconfig });
  t.deepEqual(await clusterKeySource(() => Promise.resolve(kube)).keys(), jwks);
});
