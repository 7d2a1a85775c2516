/** A JWT issuer for tests: signs Kubernetes service-account tokens and OIDC-style JWTs the fake's auth methods verify. */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { SignJWT, type JWK } from 'jose';

/** A service-account token's identity. */
export interface PodTokenClaims {
  readonly namespace: string;
  readonly serviceAccount: string;
  /** `aud`; default `vault`. */
  readonly audience?: string | readonly string[];
  /** Seconds until `exp`, negative for an expired token; default 3600. */
  readonly expiresIn?: number;
  readonly uid?: string;
  readonly podName?: string;
}

/** Signs tokens with one RSA key; `publicKeyPem` and `jwks` are what Vault's auth config is given. */
export class JwtIssuer {
  readonly issuer: string;
  readonly kid: string;
  readonly publicKeyPem: string;
  readonly jwks: { readonly keys: readonly JWK[] };
  readonly #privateKey: KeyObject;

  constructor(issuer = 'https://kubernetes.default.svc.cluster.local', kid = 'courier-test') {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.issuer = issuer;
    this.kid = kid;
    this.#privateKey = pair.privateKey;
    this.publicKeyPem = pair.publicKey.export({ type: 'spki', format: 'pem' });
    this.jwks = { keys: [{ ...pair.publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }] };
  }

  /** A JWT with these claims (plus iss, iat and exp unless given), signed RS256. */
  async sign(claims: Record<string, unknown>, expiresIn = 3600, nowSeconds = Math.floor(Date.now() / 1000)): Promise<string> {
    return new SignJWT({ iss: this.issuer, iat: nowSeconds, exp: nowSeconds + expiresIn, ...claims }).setProtectedHeader({ alg: 'RS256', kid: this.kid }).sign(this.#privateKey);
  }

  /** A projected service-account token as kubelet issues it for a pod. */
  async podToken(claims: PodTokenClaims, nowSeconds?: number): Promise<string> {
    const uid = claims.uid ?? 'c0ffee00-0000-4000-8000-000000000000';
    const podName = claims.podName ?? 'app-0';
    return this.sign(
      {
        aud: typeof claims.audience === 'string' || claims.audience === undefined ? [claims.audience ?? 'vault'] : [...claims.audience],
        sub: `system:serviceaccount:${claims.namespace}:${claims.serviceAccount}`,
        'kubernetes.io': {
          namespace: claims.namespace,
          pod: { name: podName, uid: 'b0d00000-0000-4000-8000-000000000000' },
          serviceaccount: { name: claims.serviceAccount, uid },
        },
      },
      claims.expiresIn ?? 3600,
      nowSeconds,
    );
  }
}
