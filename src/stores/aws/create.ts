/** Builds the two AWS stores around one identity resolver and one client factory. */
import { AwsIdentityResolver } from './identity.ts';
import { sdkExchange } from './exchange.ts';
import { noKubernetesApi, type ServiceAccountReader } from '../../kube/service-accounts.ts';
import type { TokenVerifier } from '../../identity/token-verifier.ts';
import type { ExchangeRecorder } from '../../observability/exchange-metrics.ts';
import type { Backend } from '../backend.ts';
import { AwsClientFactory, DEFAULT_AWS_CLIENT_OPTIONS, type AwsClientOptions } from './clients.ts';
import { AwsSecretsManagerStore } from './secrets-manager.ts';
import { AwsSsmStore } from './ssm.ts';

/** What the AWS stores are started with. */
export interface AwsStoresOptions {
  /** Region for objects that name none (--aws-region, else AWS_REGION at start-up). */
  readonly defaultRegion?: string;
  /** Replaces the EKS Pod Identity agent's link-local URLs (--eks-pod-identity-agent-url). */
  readonly podIdentityAgentUrl?: string;
  /** Reads the `eks.amazonaws.com/role-arn` annotation for IRSA; without it, IRSA mounts fail with a clear error. */
  readonly serviceAccounts?: ServiceAccountReader;
  /** Checks pod-token signatures (`--verify-tokens`). */
  readonly tokenVerifier?: TokenVerifier;
  readonly client?: AwsClientOptions;
  /** Counts credential exchanges (courier_token_exchanges_total). */
  readonly onExchange?: ExchangeRecorder;
}

/** The aws-sm and aws-ssm stores. They share credentials, so a pod's role is assumed once for both. */
export function createAwsStores(options: AwsStoresOptions): Backend[] {
  const client = options.client ?? DEFAULT_AWS_CLIENT_OPTIONS;
  const identities = new AwsIdentityResolver({
    serviceAccounts: options.serviceAccounts ?? noKubernetesApi('aws', 'its IAM role (the eks.amazonaws.com/role-arn annotation)'),
    exchange: sdkExchange({ maxAttempts: client.maxAttempts, timeoutMs: client.requestTimeoutMs }),
    ...(options.podIdentityAgentUrl === undefined ? {} : { podIdentityAgentUrl: options.podIdentityAgentUrl }),
    ...(options.tokenVerifier === undefined ? {} : { tokenVerifier: options.tokenVerifier }),
    ...(options.onExchange === undefined ? {} : { onExchange: options.onExchange }),
  });
  const clients = new AwsClientFactory(client);
  const shared = { identities, clients, ...(options.defaultRegion === undefined ? {} : { defaultRegion: options.defaultRegion }) };
  return [new AwsSecretsManagerStore(shared), new AwsSsmStore(shared)];
}
