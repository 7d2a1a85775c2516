/** A Kubernetes service-account token issuer for the Azure fakes: signed projected tokens and their JWKS. */
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { SignJWT, type JWK } from 'jose';

/** The audience workload identity requests tokens for. */
export const AZURE_TOKEN_AUDIENCE = 'api://AzureADTokenExchange';

/** What a projected token says. */
export interface ServiceAccountTokenClaims {
  readonly namespace: string;
  readonly serviceAccount: string;
  /** Default `api://AzureADTokenExchange`. */
  readonly audience?: string;
  /** Seconds from now to `exp`; negative for an expired token. Default 3600. */
  readonly expiresInSeconds?: number;
  readonly podName?: string;
}

/** A JWKS document. */
export interface JsonWebKeySet {
  readonly keys: readonly JWK[];
}

/**
 * Signs tokens shaped like kubelet's projected service-account tokens (RS256, `kid`, `iss`, `sub`
 * `system:serviceaccount:NS:SA`, `aud`, `exp`, `kubernetes.io` claims) with its own key.
 */
export class ClusterIssuer {
  readonly issuer: string;
  readonly keyId: string;
  readonly #privateKey: KeyObject;
  readonly #publicKey: KeyObject;

  constructor(issuer = 'https://oidc.courier.test/cluster-1') {
    this.issuer = issuer;
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.#privateKey = privateKey;
    this.#publicKey = publicKey;
    this.keyId = randomUUID();
  }

  /** The public keys Entra ID would fetch from the issuer's discovery document. */
  get jwks(): JsonWebKeySet {
    return { keys: [{ ...(this.#publicKey.export({ format: 'jwk' }) as JWK), kid: this.keyId, use: 'sig', alg: 'RS256' }] };
  }

  /** A signed token for a pod's service account. */
  async token(claims: ServiceAccountTokenClaims): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const expiresIn = claims.expiresInSeconds ?? 3600;
    return new SignJWT({
      'kubernetes.io': {
        namespace: claims.namespace,
        serviceaccount: { name: claims.serviceAccount, uid: randomUUID() },
        ...(claims.podName === undefined ? {} : { pod: { name: claims.podName, uid: randomUUID() } }),
      },
    })
      .setProtectedHeader({ alg: 'RS256', kid: this.keyId })
      .setIssuer(this.issuer)
      .setSubject(`system:serviceaccount:${claims.namespace}:${claims.serviceAccount}`)
      .setAudience([claims.audience ?? AZURE_TOKEN_AUDIENCE])
      .setIssuedAt(now + Math.min(0, expiresIn) - 60)
      .setNotBefore(now + Math.min(0, expiresIn) - 60)
      .setExpirationTime(now + expiresIn)
      .sign(this.#privateKey);
  }
}
