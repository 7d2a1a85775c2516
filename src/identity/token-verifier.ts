/** The optional signature check of pod tokens (`--verify-tokens`), and the one call stores make to get a checked pod token. */
import type { PodInfo, TokenMap } from '../spc/types.ts';
import { podTokenFor, type PodToken } from './pod-token.ts';

/** The signature checks an administrator can turn on. */
export const TOKEN_VERIFICATION_MODES = ['off', 'jwks', 'tokenreview'] as const;
export type TokenVerificationMode = (typeof TOKEN_VERIFICATION_MODES)[number];

/** Checks that a pod token was really issued by the cluster. */
export interface TokenVerifier {
  readonly mode: TokenVerificationMode;
  /**
   * Resolves when `token` is genuine for its audience; throws AuthError when it is not (forged,
   * revoked, for another issuer), UnavailableError when the cluster's keys or TokenReview cannot be
   * reached. Never logs or echoes the token.
   */
  verify(token: PodToken, signal?: AbortSignal): Promise<void>;
}

/** `--verify-tokens off` (the default): the claims are checked, the signature is left to the store's exchange. */
export const NO_SIGNATURE_CHECK: TokenVerifier = { mode: 'off', verify: () => Promise.resolve() };

/**
 * The pod's token for `audience`, checked: claims first (podTokenFor: signed, current, for that
 * audience, the pod's own), then the signature when a verifier is on. Every store calls this for
 * every request, before anything cached is served for it.
 */
export async function checkedPodToken(tokens: TokenMap, audience: string, pod: PodInfo, store: string, verifier: TokenVerifier, signal?: AbortSignal): Promise<PodToken> {
  const token = podTokenFor(tokens, audience, pod, store);
  await verifier.verify(token, signal);
  return token;
}
