import test from 'ava';
import { status } from '@grpc/grpc-js';
import { AuthError } from '../../src/errors/courier-error.ts';
import { podTokenFor } from '../../src/identity/pod-token.ts';
import type { PodInfo, ServiceAccountToken, TokenMap } from '../../src/spc/types.ts';
import { fakePodToken } from '../helpers/pod-token.ts';

const POD: PodInfo = { name: 'web-0', namespace: 'shop', uid: 'u', serviceAccount: 'web' };
const HINT = 'add {audience: "vault"} to tokenRequests of the secrets-store.csi.k8s.io CSIDriver';

function tokens(...entries: ReadonlyArray<readonly [string, string]>): TokenMap {
  return new Map(entries.map(([audience, token]): [string, ServiceAccountToken] => [audience, { audience, token, expirationTimestamp: '' }]));
}

const IN_AN_HOUR = Math.floor(Date.now() / 1000) + 3600;

/** A JWT with the given payload (audience "vault" and an expiry an hour away unless given) and a placeholder signature. */
function jwt(payload: object, header: object = { alg: 'RS256' }): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part(header)}.${part({ aud: ['vault'], exp: IN_AN_HOUR, ...payload })}.c2ln`;
}

const refuses = test.macro({
  exec(t, map: TokenMap, pod: PodInfo, message: string) {
    const error = t.throws(() => podTokenFor(map, 'vault', pod, 'vault'), { instanceOf: AuthError });
    t.is(error?.message, message);
    t.is(error?.grpcCode, status.UNAUTHENTICATED);
    for (const { token } of map.values()) t.false(error?.message.includes(token) ?? true, 'the message quotes a token');
  },
  title: (given) => `refuses ${given ?? ''}`,
});

test('returns the token with the identity its claims name', (t) => {
  const token = fakePodToken({ namespace: 'shop', serviceAccount: 'web', audience: 'vault', expiresIn: 600 });
  const before = Date.now();
  const result = podTokenFor(tokens(['vault', token]), 'vault', POD, 'vault');
  t.is(result.token, token);
  t.is(result.audience, 'vault');
  t.is(result.namespace, 'shop');
  t.is(result.serviceAccount, 'web');
  t.true(result.expiresAt >= Math.floor(before / 1000) * 1000 + 599_000 && result.expiresAt <= before + 601_000);
});

test('picks the token of the audience asked for', (t) => {
  const other = fakePodToken({ namespace: 'elsewhere', serviceAccount: 'x', audience: 'sts.amazonaws.com' });
  const mine = fakePodToken({ namespace: 'shop', serviceAccount: 'web', audience: 'vault' });
  t.is(podTokenFor(tokens(['sts.amazonaws.com', other], ['vault', mine]), 'vault', POD, 'vault').token, mine);
});

test('reads the identity from sub when the kubernetes.io claim is absent', (t) => {
  const result = podTokenFor(tokens(['vault', jwt({ sub: 'system:serviceaccount:shop:web' })]), 'vault', POD, 'vault');
  t.like(result, { namespace: 'shop', serviceAccount: 'web', expiresAt: IN_AN_HOUR * 1000 });
});

test('reads the identity from the kubernetes.io claim without sub', (t) => {
  const result = podTokenFor(tokens(['vault', jwt({ 'kubernetes.io': { namespace: 'shop', serviceaccount: { name: 'web' } }, exp: IN_AN_HOUR + 1 })]), 'vault', POD, 'vault');
  t.like(result, { namespace: 'shop', serviceAccount: 'web', expiresAt: (IN_AN_HOUR + 1) * 1000 });
});

test(
  'a request that carried no tokens',
  refuses,
  tokens(),
  POD,
  `vault needs the pod's service-account token for audience "vault", but the request carried no service-account tokens; ${HINT}`,
);
test(
  'a request whose tokens are for other audiences',
  refuses,
  tokens(['sts.amazonaws.com', 'a.b.c'], ['api', 'd.e.f']),
  POD,
  `vault needs the pod's service-account token for audience "vault", but the request has tokens for "sts.amazonaws.com", "api"; ${HINT}`,
);
test(
  'a token of another namespace',
  refuses,
  tokens(['vault', fakePodToken({ namespace: 'other', serviceAccount: 'web', audience: 'vault' })]),
  POD,
  'the token for audience "vault" belongs to other/web, but the request is for shop/web (csi.storage.k8s.io/pod.namespace, csi.storage.k8s.io/serviceAccount.name)',
);
test(
  'a token of another service account',
  refuses,
  tokens(['vault', fakePodToken({ namespace: 'shop', serviceAccount: 'admin', audience: 'vault' })]),
  POD,
  'the token for audience "vault" belongs to shop/admin, but the request is for shop/web (csi.storage.k8s.io/pod.namespace, csi.storage.k8s.io/serviceAccount.name)',
);
test(
  'a sub-only token of another service account',
  refuses,
  tokens(['vault', jwt({ sub: 'system:serviceaccount:shop:admin' })]),
  POD,
  'the token for audience "vault" belongs to shop/admin, but the request is for shop/web (csi.storage.k8s.io/pod.namespace, csi.storage.k8s.io/serviceAccount.name)',
);
test(
  'a request that names no pod identity',
  refuses,
  tokens(['vault', fakePodToken({ namespace: 'shop', serviceAccount: 'web', audience: 'vault' })]),
  { ...POD, namespace: '', serviceAccount: '' },
  'the request names no pod namespace or service account (csi.storage.k8s.io/pod.namespace, csi.storage.k8s.io/serviceAccount.name), so the token for audience "vault" cannot be checked against them',
);
test('a token that is not a JWT', refuses, tokens(['vault', 'opaque-secret-token']), POD, "the pod's service-account token is not a JWT");
test('a JWT whose payload is not JSON', refuses, tokens(['vault', 'eyJhbGciOiJIUzI1NiJ9.bm90LWpzb24.c2ln']), POD, "the pod's service-account token is not a JWT");
test('a JWT without identity claims', refuses, tokens(['vault', jwt({ iss: 'x' })]), POD, "the pod's service-account token names no namespace and service account");
test(
  'a sub that is not a service account',
  refuses,
  tokens(['vault', jwt({ sub: 'system:node:shop:web' })]),
  POD,
  "the pod's service-account token names no namespace and service account",
);
test(
  'a sub with too many parts',
  refuses,
  tokens(['vault', jwt({ sub: 'system:serviceaccount:shop:web:extra' })]),
  POD,
  "the pod's service-account token names no namespace and service account",
);
test(
  'a kubernetes.io claim without the service account',
  refuses,
  tokens(['vault', jwt({ 'kubernetes.io': { namespace: 'shop' } })]),
  POD,
  "the pod's service-account token names no namespace and service account",
);

// Checked before anything cached is served for the token: signed, current, for this audience.
const SHOP_WEB = { sub: 'system:serviceaccount:shop:web' };
test('an unsigned token (alg none)', refuses, tokens(['vault', jwt(SHOP_WEB, { alg: 'none' })]), POD, 'the token for audience "vault" is unsigned (alg "none"); Courier accepts only tokens the cluster signed');
test('a token whose header names no algorithm', refuses, tokens(['vault', jwt(SHOP_WEB, { typ: 'JWT' })]), POD, 'the token for audience "vault" is unsigned (alg "undefined"); Courier accepts only tokens the cluster signed');
test('a token for another audience', refuses, tokens(['vault', jwt({ ...SHOP_WEB, aud: ['sts.amazonaws.com'] })]), POD, 'the token sent for audience "vault" is for "sts.amazonaws.com"; the driver must request it for "vault"');
test('a token with no audience', refuses, tokens(['vault', jwt({ ...SHOP_WEB, aud: [] })]), POD, 'the token sent for audience "vault" is for no audience; the driver must request it for "vault"');
test('a token without an expiry', refuses, tokens(['vault', jwt({ ...SHOP_WEB, exp: 'never' })]), POD, 'the token for audience "vault" has no expiry (exp); Courier accepts only the bound tokens kubelet requests');
test('an expired token', refuses, tokens(['vault', jwt({ ...SHOP_WEB, exp: 1_700_000_000 })]), POD, 'the token for audience "vault" expired at 2023-11-14T22:13:20.000Z; kubelet sends a fresh one with the next Mount');
test('a token not valid yet', refuses, tokens(['vault', jwt({ ...SHOP_WEB, nbf: IN_AN_HOUR })]), POD, `the token for audience "vault" is not valid before ${new Date(IN_AN_HOUR * 1000).toISOString()}; check the node's clock`);

test('accepts a single-string audience and an nbf within the clock skew', (t) => {
  const result = podTokenFor(tokens(['vault', jwt({ ...SHOP_WEB, aud: 'vault', nbf: Math.floor(Date.now() / 1000) + 30 })]), 'vault', POD, 'vault');
  t.is(result.serviceAccount, 'web');
});
