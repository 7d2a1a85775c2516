/** The `--gcp-*` settings of the gcp store, kept free of Google libraries so the CLI starts fast. */
import type { FlagSpec, StoreFlags } from '../store-module.ts';

/** Google STS's token URL, unless --gcp-sts-endpoint names another. */
export const DEFAULT_STS_URL = 'https://sts.googleapis.com/v1/token';
/** Google IAM Credentials, unless --gcp-iam-credentials-endpoint names another. */
export const DEFAULT_IAM_CREDENTIALS_URL = 'https://iamcredentials.googleapis.com';

/** Google settings from flags (`--gcp-*`, or COURIER_GCP_* variables). */
export interface GcpStoreOptions {
  readonly workloadIdentityPool?: string;
  readonly workloadIdentityProvider?: string;
  readonly tokenAudience?: string;
  readonly project?: string;
  readonly clusterLocation?: string;
  readonly clusterName?: string;
  /** `host[:port]` of the global Secret Manager endpoint. */
  readonly secretManagerEndpoint?: string;
  /** Regional endpoint template with `{location}`. */
  readonly secretManagerRegionalEndpoint?: string;
  /** STS token URL. */
  readonly stsEndpoint?: string;
  /** IAM Credentials base URL. */
  readonly iamCredentialsEndpoint?: string;
  /** Speak plaintext gRPC and accept http:// URLs (tests only). */
  readonly plaintext?: boolean;
}

/** The flags of the gcp store; each key is a GcpStoreOptions field. */
export const GCP_FLAGS: readonly FlagSpec[] = [
  { name: 'gcp-workload-identity-pool', key: 'workloadIdentityPool', value: 'pool', chartValue: 'stores.gcp.workloadIdentityPool', help: 'Google workload identity pool: PROJECT.svc.id.goog on GKE, else projects/NUMBER/locations/global/workloadIdentityPools/POOL; enables gcp-sm' },
  { name: 'gcp-workload-identity-provider', key: 'workloadIdentityProvider', value: 'provider', chartValue: 'stores.gcp.workloadIdentityProvider', help: 'GKE cluster URL, or the pool provider ID (default on GKE: from project, cluster location and name)' },
  { name: 'gcp-token-audience', key: 'tokenAudience', value: 'audience', chartValue: 'stores.gcp.tokenAudience', help: 'tokenRequests audience of pod tokens sent to Google STS (default: the pool on GKE, the provider name elsewhere)' },
  { name: 'gcp-project', key: 'project', value: 'project', chartValue: 'stores.gcp.project', help: 'GKE project ID; the pool defaults to PROJECT.svc.id.goog; enables gcp-sm' },
  { name: 'gcp-cluster-location', key: 'clusterLocation', value: 'location', chartValue: 'stores.gcp.clusterLocation', help: 'GKE cluster location, for the default provider' },
  { name: 'gcp-cluster-name', key: 'clusterName', value: 'name', chartValue: 'stores.gcp.clusterName', help: 'GKE cluster name, for the default provider' },
  { name: 'gcp-secret-manager-endpoint', key: 'secretManagerEndpoint', value: 'host:port', chartValue: 'stores.gcp.endpoints.secretManager', help: 'Secret Manager endpoint (default secretmanager.googleapis.com)' },
  { name: 'gcp-secret-manager-regional-endpoint', key: 'secretManagerRegionalEndpoint', value: 'template', chartValue: 'stores.gcp.endpoints.secretManagerRegional', help: 'regional Secret Manager endpoint, {location} replaced (default secretmanager.{location}.rep.googleapis.com)' },
  { name: 'gcp-sts-endpoint', key: 'stsEndpoint', value: 'url', chartValue: 'stores.gcp.endpoints.sts', help: 'Google STS token URL (default https://sts.googleapis.com/v1/token)' },
  { name: 'gcp-iam-credentials-endpoint', key: 'iamCredentialsEndpoint', value: 'url', chartValue: 'stores.gcp.endpoints.iamCredentials', help: 'IAM Credentials base URL (default https://iamcredentials.googleapis.com)' },
  { name: 'gcp-plaintext', key: 'plaintext', help: 'talk to the Google endpoints without TLS (tests only)' },
];

/** The store's flag values as GcpStoreOptions; empty strings are unset. */
export function gcpOptions(flags: StoreFlags): GcpStoreOptions {
  const options: Record<string, string | boolean> = {};
  for (const { key } of GCP_FLAGS) {
    const value = flags[key];
    if (typeof value === 'string' && value !== '') options[key] = value;
    if (value === true) options[key] = true;
  }
  return Object.freeze(options as GcpStoreOptions);
}

/** True when the settings turn gcp-sm on: a workload identity pool, or a GKE project it is derived from. */
export function gcpStoreEnabled(options: GcpStoreOptions | undefined): boolean {
  return options?.workloadIdentityPool !== undefined || options?.project !== undefined;
}
