/** Builds the pod-token signature check `--verify-tokens` asks for; the JWT library and the Kubernetes client load only when the check needs them. */
import { NO_SIGNATURE_CHECK, type TokenVerifier } from '../identity/token-verifier.ts';
import type { ServeOptions } from '../server/options.ts';
import type { LazyKube } from './lazy-kube.ts';

/**
 * `off`: claims only (the stores' own exchanges check signatures). `jwks`: the issuer's keys, from
 * `--token-jwks-url` or the Kubernetes API. `tokenreview`: the API server's TokenReview.
 */
export async function createTokenVerifier(options: Pick<ServeOptions, 'verifyTokens' | 'tokenIssuer' | 'tokenJwksUrl'>, kube: LazyKube): Promise<TokenVerifier> {
  if (options.verifyTokens === 'off') return NO_SIGNATURE_CHECK;
  const { jwksVerifier, urlKeySource } = await import('../identity/jwks-verifier.ts');
  if (options.verifyTokens === 'jwks' && options.tokenJwksUrl !== undefined) {
    return jwksVerifier(urlKeySource(options.tokenJwksUrl), { ...(options.tokenIssuer === undefined ? {} : { issuer: options.tokenIssuer }) });
  }
  const { clusterKeySource, tokenReviewVerifier } = await import('../kube/token-review.ts');
  if (options.verifyTokens === 'tokenreview') return tokenReviewVerifier(() => kube.client());
  return jwksVerifier(clusterKeySource(() => kube.client()), { ...(options.tokenIssuer === undefined ? {} : { issuer: options.tokenIssuer }) });
}
