/** `--verify-tokens jwks`: pod tokens checked against the cluster issuer's signing keys (its JWKS), fetched and cached. */
import { createLocalJWKSet, errors, jwtVerify, type JSONWebKeySet } from 'jose';
import { AuthError, CourierError, UnavailableError } from '../errors/courier-error.ts';
import { ExpiringMemo } from './expiring-memo.ts';
import type { PodToken } from './pod-token.ts';
import type { TokenVerifier } from './token-verifier.ts';

/** Where the keys come from: the Kubernetes API's `/openid/v1/jwks`, or a URL (`--token-jwks-url`). */
export interface KeySource {
  /** For messages: `the Kubernetes API (/openid/v1/jwks)`. */
  readonly description: string;
  keys(signal?: AbortSignal): Promise<JSONWebKeySet>;
}

/** Settings of the verifier. */
export interface JwksVerifierOptions {
  /** The `iss` every token must carry (`--token-issuer`); any issuer when absent. */
  readonly issuer?: string;
  /** How long fetched keys are used (default 5 minutes); a token signed by an unknown key fetches them again sooner. */
  readonly keysTtlMs?: number;
  /** Least time between two fetches caused by unknown keys (default 30 s), so forged tokens cannot hammer the issuer. */
  readonly refetchAfterMs?: number;
  readonly now?: () => number;
}

/**
 * Verifies pod tokens with the issuer's public keys. Keys are cached; a token whose key id is not in
 * the cached set triggers one early re-fetch (keys rotate), at most every `refetchAfterMs`.
 */
export function jwksVerifier(source: KeySource, options: JwksVerifierOptions = {}): TokenVerifier {
  const now = options.now ?? Date.now;
  const ttl = options.keysTtlMs ?? 300_000;
  const refetchAfter = options.refetchAfterMs ?? 30_000;
  const memo = new ExpiringMemo<{ set: JSONWebKeySet; at: number }>(1, now);
  const load = (signal?: AbortSignal) =>
    memo.get('keys', async () => {
      const set = await source.keys(signal).catch((error: unknown) => {
        if (error instanceof CourierError) throw error;
        throw new UnavailableError(`cannot fetch the cluster's token signing keys from ${source.description}: ${(error as Error).message}`, { cause: error });
      });
      return { value: { set, at: now() }, until: now() + ttl };
    });
  return {
    mode: 'jwks',
    async verify(token, signal) {
      let keys = await load(signal);
      try {
        await check(token, keys.set, options.issuer);
      } catch (error) {
        if (!(error instanceof errors.JWKSNoMatchingKey) || now() - keys.at < refetchAfter) throw refusal(error, token, source);
        memo.delete('keys');
        keys = await load(signal);
        await check(token, keys.set, options.issuer).catch((again: unknown) => {
          throw refusal(again, token, source);
        });
      }
    },
  };
}

async function check(token: PodToken, set: JSONWebKeySet, issuer: string | undefined): Promise<void> {
  await jwtVerify(token.token, createLocalJWKSet(set), { audience: token.audience, ...(issuer === undefined ? {} : { issuer }) });
}

/** A token that does not verify: UNAUTHENTICATED with jose's reason code, never the token. */
function refusal(error: unknown, token: PodToken, source: KeySource): CourierError {
  if (error instanceof CourierError) return error;
  const code = error instanceof errors.JOSEError ? error.code : 'ERR_JWT_INVALID';
  return new AuthError(`the token for audience "${token.audience}" of ${token.namespace}/${token.serviceAccount} does not verify against the cluster's signing keys from ${source.description} (${code}); it was not issued by this cluster`, { cause: error });
}

/** Keys served at a URL (`--token-jwks-url`, an issuer outside the cluster), fetched with a timeout. */
export function urlKeySource(url: string, timeoutMs = 10_000): KeySource {
  return {
    description: url,
    async keys(signal) {
      const timeout = AbortSignal.timeout(timeoutMs);
      const response = await fetch(url, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout, headers: { accept: 'application/json' } });
      if (!response.ok) throw new UnavailableError(`cannot fetch the token signing keys from ${url}: HTTP ${response.status}`);
      return (await response.json()) as JSONWebKeySet;
    },
  };
}
