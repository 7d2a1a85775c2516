/** Builds the gcp-sm store from the administrator's flags: endpoints, workload identity, provider identity. */
import { GoogleAuth } from 'google-auth-library';
import { ConfigError } from '../../errors/courier-error.ts';
import type { TokenVerifier } from '../../identity/token-verifier.ts';
import type { ExchangeRecorder } from '../../observability/exchange-metrics.ts';
import { GcpTokenSource } from './token-source.ts';
import { resolveGcpWorkloadIdentity } from './workload-identity.ts';
import { noKubernetesApi, type ServiceAccountReader } from '../../kube/service-accounts.ts';
import { createSecretAccessClient, SecretAccessClients } from './client.ts';
import { DEFAULT_SECRET_MANAGER_ENDPOINTS } from './locator.ts';
import { DEFAULT_IAM_CREDENTIALS_URL, DEFAULT_STS_URL, gcpStoreEnabled, type GcpStoreOptions } from './options.ts';
import { GcpSecretManagerStore, type ProviderCredentials } from './secret-manager.ts';

const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';

/**
 * The gcp-sm store, or undefined when no Google setting enables it (a workload identity pool, or a
 * project from which GKE's pool is derived). Throws ConfigError naming the flag that is wrong.
 */
export function createGcpStore(options: GcpStoreOptions, allowProviderIdentity: boolean, serviceAccounts?: ServiceAccountReader, tokenVerifier?: TokenVerifier, onExchange?: ExchangeRecorder): GcpSecretManagerStore | undefined {
  if (!gcpStoreEnabled(options)) return undefined;
  const identity = resolveGcpWorkloadIdentity({
    ...optional('pool', options.workloadIdentityPool),
    ...optional('provider', options.workloadIdentityProvider),
    ...optional('tokenAudience', options.tokenAudience),
    ...optional('project', options.project),
    ...optional('clusterLocation', options.clusterLocation),
    ...optional('clusterName', options.clusterName),
  });
  if ('error' in identity) throw new ConfigError(identity.error);
  const plaintext = options.plaintext === true;
  const tokenSource = new GcpTokenSource(
    {
      identity,
      stsUrl: checkedUrl(options.stsEndpoint ?? DEFAULT_STS_URL, '--gcp-sts-endpoint', plaintext),
      iamCredentialsUrl: checkedUrl(options.iamCredentialsEndpoint ?? DEFAULT_IAM_CREDENTIALS_URL, '--gcp-iam-credentials-endpoint', plaintext),
      ...(tokenVerifier === undefined ? {} : { tokenVerifier }),
      ...(onExchange === undefined ? {} : { onExchange }),
    },
    serviceAccounts ?? noKubernetesApi('gcp-sm', 'its iam.gke.io/gcp-service-account annotation'),
  );
  return new GcpSecretManagerStore({
    clients: new SecretAccessClients((endpoint) => createSecretAccessClient(endpoint, plaintext)),
    endpoints: {
      global: options.secretManagerEndpoint ?? DEFAULT_SECRET_MANAGER_ENDPOINTS.global,
      regional: options.secretManagerRegionalEndpoint ?? options.secretManagerEndpoint ?? DEFAULT_SECRET_MANAGER_ENDPOINTS.regional,
    },
    tokenSource,
    ...(allowProviderIdentity ? { providerCredentials: applicationDefaultCredentials() } : {}),
  });
}

/** Courier's own application default credentials; built only when the administrator allowed them. */
function applicationDefaultCredentials(): ProviderCredentials {
  const auth = new GoogleAuth({ scopes: [CLOUD_PLATFORM] });
  return { getAccessToken: async () => ({ token: await auth.getAccessToken() }) };
}

function checkedUrl(url: string, flag: string, plaintext: boolean): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(`"${url}" is not a URL`, { field: flag });
  }
  if (parsed.protocol === 'https:' || (plaintext && parsed.protocol === 'http:')) return url;
  throw new ConfigError(`"${url}" must be an https:// URL (http:// only with --gcp-plaintext, for tests)`, { field: flag });
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}

