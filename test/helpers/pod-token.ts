/** Makes unsigned Kubernetes service-account JWTs and the driver's token attribute for tests. */

/** Claims of a fake projected service-account token. */
export interface FakeTokenClaims {
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly audience: string;
  /** Seconds from now until `exp`; default one hour. */
  readonly expiresIn?: number;
}

/** A JWT shaped like kubelet's projected tokens (signature is a placeholder; stores' fakes do not verify it). */
export function fakePodToken(claims: FakeTokenClaims): string {
  const now = Math.floor(Date.now() / 1000);
  const header = { alg: 'RS256', kid: 'test' };
  const payload = {
    aud: [claims.audience],
    exp: now + (claims.expiresIn ?? 3600),
    iat: now,
    iss: 'https://kubernetes.default.svc.cluster.local',
    sub: `system:serviceaccount:${claims.namespace}:${claims.serviceAccount}`,
    'kubernetes.io': { namespace: claims.namespace, serviceaccount: { name: claims.serviceAccount, uid: 'c0ffee00-0000-4000-8000-000000000000' } },
  };
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part(header)}.${part(payload)}.c2lnbmF0dXJl`;
}

/** The value of `csi.storage.k8s.io/serviceAccount.tokens` for the given tokens. */
export function tokensAttribute(tokens: ReadonlyArray<{ audience: string; token: string }>): string {
  const map: Record<string, { token: string; expirationTimestamp: string }> = {};
  for (const { audience, token } of tokens) map[audience] = { token, expirationTimestamp: new Date(Date.now() + 3_600_000).toISOString() };
  return JSON.stringify(map);
}
