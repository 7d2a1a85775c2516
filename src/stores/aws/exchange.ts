/** Exchanges a pod's token for AWS credentials through the SDK's own providers: STS web identity and the Pod Identity agent. */
import { fromHttp, fromWebToken } from '@aws-sdk/credential-providers';
import { AuthError, type CourierError } from '../../errors/courier-error.ts';
import { fromFailure, toAwsFailure } from './errors.ts';
import type { AwsCredentials } from './credential-cache.ts';

/** The two exchanges identity code needs; tests pass a fake at this seam. */
export interface CredentialExchange {
  /** STS AssumeRoleWithWebIdentity in `region` (endpoint from AWS_ENDPOINT_URL_STS when set). */
  webIdentity(input: { readonly roleArn: string; readonly token: string; readonly region: string; readonly sessionName: string }): Promise<AwsCredentials>;
  /** GET the EKS Pod Identity agent's credentials URL with the pod's token as Authorization. */
  podIdentity(input: { readonly url: string; readonly token: string }): Promise<AwsCredentials>;
}

/** SDK call settings: Courier retries above the SDK, so the SDK tries at most this often. */
export interface ExchangeOptions {
  readonly maxAttempts: number;
  readonly timeoutMs: number;
}

/** The exchange backed by @aws-sdk/credential-providers. */
export function sdkExchange(options: ExchangeOptions): CredentialExchange {
  return {
    async webIdentity({ roleArn, token, region, sessionName }) {
      const provider = fromWebToken({
        roleArn,
        webIdentityToken: token,
        roleSessionName: sessionName,
        clientConfig: { region, maxAttempts: options.maxAttempts, requestHandler: { connectionTimeout: options.timeoutMs, requestTimeout: options.timeoutMs } },
      });
      return provider();
    },
    async podIdentity({ url, token }) {
      // Empty strings, not undefined: fromHttp falls back to AWS_CONTAINER_* variables for undefined
      // options, and those would be Courier's own Pod Identity token and URL.
      const provider = fromHttp({
        awsContainerCredentialsFullUri: url,
        awsContainerCredentialsRelativeUri: '',
        awsContainerAuthorizationToken: token,
        awsContainerAuthorizationTokenFile: '',
        maxRetries: options.maxAttempts - 1,
        timeout: options.timeoutMs,
      });
      return provider();
    },
  };
}

/** The Courier error for a failed STS exchange: a refused token or role is UNAUTHENTICATED; outages stay retryable. */
export function stsError(error: unknown, roleArn: string, region: string, who: string): CourierError {
  const failure = toAwsFailure(error);
  const refused = ['InvalidIdentityTokenException', 'IDPRejectedClaimException', 'ExpiredTokenException', 'AccessDenied', 'AccessDeniedException', 'RegionDisabledException', 'MalformedPolicyDocument', 'ValidationError'];
  if (refused.includes(failure.code)) {
    return new AuthError(
      `AWS STS in ${region} refused AssumeRoleWithWebIdentity for role ${roleArn} with the token of ${who} (${failure.code}); check that the role's trust policy names the cluster's OIDC provider and allows system:serviceaccount:${who.replace('/', ':')}`,
      { cause: error },
    );
  }
  return fromFailure(failure, { service: 'STS', what: `AssumeRoleWithWebIdentity for role ${roleArn}`, region, who }, error);
}

/** The Courier error for a failed Pod Identity agent call; the SDK reports it only as text. */
export function podIdentityError(error: unknown, url: string, who: string): CourierError {
  const text = error instanceof Error ? error.message : String(error);
  const status = /status: (\d{3})/.exec(text)?.[1];
  if (status !== undefined && status.startsWith('4') && status !== '429') {
    return new AuthError(
      `the EKS Pod Identity agent at ${url} refused the token of ${who} (HTTP ${status}); create a Pod Identity association for this namespace and service account, or drop usePodIdentity to use IRSA`,
      { cause: error },
    );
  }
  const code = status === '429' ? 'ThrottlingException' : status !== undefined ? 'ServiceUnavailable' : (/\b(E[A-Z]{4,})\b/.exec(text)?.[1] ?? 'ECONNREFUSED');
  return fromFailure({ code, ...(status === undefined ? {} : { httpStatus: Number(status) }) }, { service: 'EKS Pod Identity agent', what: `credentials for ${who}`, region: url, who }, error);
}
