/** Resolves which AWS identity a pod fetches as (IRSA role or EKS Pod Identity) and hands out its cached credentials. */
import { AuthError } from '../../errors/courier-error.ts';
import type { ServiceAccountReader } from '../../kube/service-accounts.ts';
import type { PodToken } from '../../identity/pod-token.ts';
import type { PodInfo, TokenMap } from '../../spc/types.ts';
import { checkedPodToken, NO_SIGNATURE_CHECK, type TokenVerifier } from '../../identity/token-verifier.ts';
import { recorded, type ExchangeRecorder } from '../../observability/exchange-metrics.ts';
import { AwsCredentialCache, type AwsCredentials } from './credential-cache.ts';
import { podIdentityError, stsError, type CredentialExchange } from './exchange.ts';
import { IRSA_AUDIENCE, POD_IDENTITY_AUDIENCE, ROLE_ANNOTATION, ROLE_ARN } from './identity-names.ts';

export { IRSA_AUDIENCE, POD_IDENTITY_AUDIENCE, ROLE_ANNOTATION } from './identity-names.ts';

/** The EKS Pod Identity agent's link-local addresses. */
export const POD_IDENTITY_AGENT = { ipv4: 'http://169.254.170.23/v1/credentials', ipv6: 'http://[fd00:ec2::23]/v1/credentials' } as const;

/** How a pod asks for AWS credentials. */
export interface AwsIdentityRequest {
  readonly usePodIdentity: boolean;
  readonly preferredAddressType: 'auto' | 'ipv4' | 'ipv6';
  /** Store name for messages (`aws-sm`, `aws-ssm`). */
  readonly store: string;
}

/** What a request runs as. */
export interface AwsIdentity {
  /** Equal for two requests exactly when they may share credentials and fetched values. */
  readonly key: string;
  /** For messages: `role arn:... (IRSA for ns/sa)`. */
  readonly who: string;
  /** Credentials for calls in `region`, cached per identity and region. */
  credentials(region: string): Promise<AwsCredentials>;
  /** Drops the cached credentials for `region` (AWS refused them), so the next call exchanges again. */
  forget(region: string): void;
}

/** Long-lived parts of the resolver. */
export interface AwsIdentityOptions {
  readonly serviceAccounts: ServiceAccountReader;
  readonly exchange: CredentialExchange;
  /** Replaces the agent's link-local URLs (--eks-pod-identity-agent-url). */
  readonly podIdentityAgentUrl?: string;
  readonly cache?: AwsCredentialCache;
  /** Checks pod-token signatures (`--verify-tokens`); claims are always checked. */
  readonly tokenVerifier?: TokenVerifier;
  /** Counts exchanges (courier_token_exchanges_total); cached credentials are not exchanges. */
  readonly onExchange?: ExchangeRecorder;
}

/** Resolves pod identities; one per Courier, shared by both AWS stores so credentials are exchanged once. */
export class AwsIdentityResolver {
  readonly #options: AwsIdentityOptions;
  readonly #cache: AwsCredentialCache;

  constructor(options: AwsIdentityOptions) {
    this.#options = options;
    this.#cache = options.cache ?? new AwsCredentialCache();
  }

  /**
   * Resolves the identity of a request. Throws AuthError when the pod's token for the needed
   * audience is missing or names another service account, or when IRSA has no role annotation.
   * Never falls back to Courier's own credentials.
   */
  async resolve(request: AwsIdentityRequest, pod: PodInfo, tokens: TokenMap, signal?: AbortSignal): Promise<AwsIdentity> {
    const verifier = this.#options.tokenVerifier ?? NO_SIGNATURE_CHECK;
    if (request.usePodIdentity) return this.#podIdentity(request, await checkedPodToken(tokens, POD_IDENTITY_AUDIENCE, pod, request.store, verifier, signal), pod);
    const token = await checkedPodToken(tokens, IRSA_AUDIENCE, pod, request.store, verifier, signal);
    const account = `${pod.namespace}/${pod.serviceAccount}`;
    const annotations = await this.#options.serviceAccounts.annotations(pod.namespace, pod.serviceAccount, signal);
    const roleArn = annotations[ROLE_ANNOTATION];
    if (roleArn === undefined || roleArn === '') {
      throw new AuthError(
        `service account ${account} has no "${ROLE_ANNOTATION}" annotation, so ${request.store} has no IAM role to assume for it; annotate the service account with the role (IRSA) or set usePodIdentity: "true" to use EKS Pod Identity`,
      );
    }
    if (!ROLE_ARN.test(roleArn)) throw new AuthError(`service account ${account} has annotation "${ROLE_ANNOTATION}" = "${roleArn}", which is not an IAM role ARN`);
    const who = `role ${roleArn} (IRSA for ${account})`;
    const key = `irsa|${account}|${roleArn}`;
    return {
      key,
      who,
      credentials: (region) =>
        this.#cache.get(`${key}|${region}`, () =>
          recorded(this.#options.onExchange, 'irsa', () =>
            this.#options.exchange.webIdentity({ roleArn, token: token.token, region, sessionName: sessionName(pod) }).catch((error: unknown) => {
              throw stsError(error, roleArn, region, account);
            }),
          ),
        ),
      forget: (region) => this.#cache.forget(`${key}|${region}`),
    };
  }

  #podIdentity(request: AwsIdentityRequest, token: PodToken, pod: PodInfo): AwsIdentity {
    const account = `${pod.namespace}/${pod.serviceAccount}`;
    const urls = this.#agentUrls(request.preferredAddressType);
    const key = `pod-identity|${account}|${urls.join(',')}`;
    const who = `the EKS Pod Identity role of ${account}`;
    // Pod Identity credentials do not depend on the region; one entry serves every region.
    return { key, who, credentials: () => this.#cache.get(key, () => recorded(this.#options.onExchange, 'pod_identity', () => this.#askAgent(urls, token.token, account))), forget: () => this.#cache.forget(key) };
  }

  #agentUrls(preference: AwsIdentityRequest['preferredAddressType']): string[] {
    if (this.#options.podIdentityAgentUrl !== undefined) return [this.#options.podIdentityAgentUrl];
    if (preference === 'ipv4') return [POD_IDENTITY_AGENT.ipv4];
    if (preference === 'ipv6') return [POD_IDENTITY_AGENT.ipv6];
    return [POD_IDENTITY_AGENT.ipv4, POD_IDENTITY_AGENT.ipv6];
  }

  /** Tries each agent address in order ("auto" is IPv4 then IPv6); a refusal is final, an outage moves on. */
  async #askAgent(urls: readonly string[], token: string, account: string): Promise<AwsCredentials> {
    let last: unknown;
    for (const url of urls) {
      try {
        return await this.#options.exchange.podIdentity({ url, token });
      } catch (error) {
        last = podIdentityError(error, url, account);
        if (last instanceof AuthError) throw last;
      }
    }
    throw last;
  }
}

/** STS session names allow [\w+=,.@-] and 64 characters; CloudTrail shows it. */
function sessionName(pod: PodInfo): string {
  // Credentials are shared by every pod of the service account, so the session names the account, not a pod.
  return `courier-${pod.namespace}-${pod.serviceAccount}`.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
}
