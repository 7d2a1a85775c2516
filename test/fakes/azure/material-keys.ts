/** Real RSA and EC key pairs for the Azure fakes, with the JWK forms Key Vault serves. */
import { generateKeyPairSync, type KeyObject, type webcrypto } from 'node:crypto';

/** The key types Key Vault keys and certificates use here. */
export type KeySpec = { readonly kty: 'RSA'; readonly size?: 2048 | 3072 | 4096 } | { readonly kty: 'EC'; readonly curve: 'P-256' | 'P-384' | 'P-521' };

/** A generated key pair and what describes it. */
export interface KeyMaterial {
  readonly spec: KeySpec;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** The public key as SPKI PEM, as a store writes a `key` object. */
  readonly publicKeyPem: string;
  /** The private key as PKCS#8 PEM. */
  readonly privateKeyPem: string;
  /** The public JWK (RSA `n`/`e`, EC `crv`/`x`/`y`), base64url as Key Vault serves it. */
  readonly publicJwk: webcrypto.JsonWebKey;
}

const NODE_CURVES = { 'P-256': 'prime256v1', 'P-384': 'secp384r1', 'P-521': 'secp521r1' } as const;

/** Generates a key pair (RSA 2048 unless a size is given). */
export function generateKeyMaterial(spec: KeySpec = { kty: 'RSA' }): KeyMaterial {
  const { privateKey, publicKey } = spec.kty === 'RSA'
    ? generateKeyPairSync('rsa', { modulusLength: spec.size ?? 2048 })
    : generateKeyPairSync('ec', { namedCurve: NODE_CURVES[spec.curve] });
  return fromKeyObjects(spec, privateKey, publicKey);
}

/** Wraps existing key objects (for keys made elsewhere). */
export function fromKeyObjects(spec: KeySpec, privateKey: KeyObject, publicKey: KeyObject): KeyMaterial {
  return {
    spec,
    privateKey,
    publicKey,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }),
    publicJwk: publicKey.export({ format: 'jwk' }),
  };
}
