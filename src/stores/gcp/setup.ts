/** Builds the gcp-sm store from the administrator's flags: endpoints, workload identity, provider identity. */
import { GoogleAuth } from 'google-auth-library';
import type { TokenVerifier } from '../../identity/token-verifier.ts';
import type { ExchangeRecorder } from '../../observability/exchange-metrics.ts';
import { GcpTokenSource } from './token-source.ts';
import { noKubernetesApi, type ServiceAccountReader } from '../../kube/service-accounts.ts';
import { createSecretAccessClient, SecretAccessClients } from './client.ts';
import { DEFAULT_SECRET_MANAGER_ENDPOINTS } from './locator.ts';
import { checkGcpOptions } from './checked-options.ts';
import { gcpStoreEnabled, type GcpStoreOptions } from './options.ts';
import { GcpSecretManagerStore, type ProviderCredentials } from './secret-manager.ts';

const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';

/**
 * The gcp-sm store, or undefined when no Google setting enables it (a workload identity pool, or a
 * project from which GKE's pool is derived). Throws ConfigError naming the flag that is wrong.
 */
export function createGcpStore(options: GcpStoreOptions, allowProviderIdentity: boolean, serviceAccounts?: ServiceAccountReader, tokenVerifier?: TokenVerifier, onExchange?: ExchangeRecorder): GcpSecretManagerStore | undefined {
  if (!gcpStoreEnabled(options)) return undefined;
  const { identity, stsUrl, iamCredentialsUrl } = checkGcpOptions(options);
  const plaintext = options.plaintext === true;
  const tokenSource = new GcpTokenSource(
    {
      identity,
      stsUrl,
      iamCredentialsUrl,
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
