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

/** An unsigned JWT with exactly the given payload. */
function jwt(payload: object): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'RS256' })}.${part(payload)}.c2ln`;
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
  t.like(result, { namespace: 'shop', serviceAccount: 'web', expiresAt: 0 });
});

test('reads the identity from the kubernetes.io claim without sub', (t) => {
  const result = podTokenFor(tokens(['vault', jwt({ 'kubernetes.io': { namespace: 'shop', serviceaccount: { name: 'web' } }, exp: 2 })]), 'vault', POD, 'vault');
  t.like(result, { namespace: 'shop', serviceAccount: 'web', expiresAt: 2000 });
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
