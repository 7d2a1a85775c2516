/** Works out, from flags, which token audience a pod token needs and which audience the Google STS exchange uses. */

/** The ServiceAccount annotation GKE uses to name the Google service account a Kubernetes one acts as. */
export const GSA_ANNOTATION = 'iam.gke.io/gcp-service-account';

/** Workload identity settings as the administrator gives them (flags or COURIER_GCP_* variables). */
export interface GcpWorkloadIdentityFlags {
  /** `PROJECT.svc.id.goog` on GKE, else `projects/NUMBER/locations/global/workloadIdentityPools/POOL`. */
  readonly pool?: string;
  /** GKE: the cluster URL; elsewhere the provider ID or its full name. */
  readonly provider?: string;
  /** Overrides the audience kubelet must put in the pod token (a custom allowed audience). */
  readonly tokenAudience?: string;
  /** GKE defaults: pool `PROJECT.svc.id.goog`, provider from project, location and cluster name. */
  readonly project?: string;
  readonly clusterLocation?: string;
  readonly clusterName?: string;
}

/** What the token exchange needs. */
export interface GcpWorkloadIdentity {
  /** The `tokenRequests` audience of the CSIDriver; the pod token for it is sent to STS. */
  readonly tokenAudience: string;
  /** The `audience` of the STS token exchange. */
  readonly stsAudience: string;
  /** Short description for errors: which pool the federated identity comes from. */
  readonly pool: string;
}

const GKE_POOL = /^[a-z][a-z0-9-]{4,28}[a-z0-9]\.svc\.id\.goog$/;
const FEDERATION_POOL = /^(?:\/\/iam\.googleapis\.com\/)?(projects\/[0-9]+\/locations\/global\/workloadIdentityPools\/[a-z0-9-]{4,32})$/;
const PROVIDER_ID = /^[a-z0-9-]{4,32}$/;
const GKE_CLUSTER_URL = 'https://container.googleapis.com/v1';

/**
 * Resolves the audiences, or returns why the flags do not describe a workload identity pool.
 * GKE's pool (`PROJECT.svc.id.goog`) is exchanged with the audience
 * `identitynamespace:POOL:CLUSTER_URL` and pod tokens for the pool name, as GKE's own metadata
 * server does. Other clusters use a pool provider, whose default allowed audience is the
 * provider's full name; that is the pod token's audience unless `tokenAudience` says otherwise.
 */
export function resolveGcpWorkloadIdentity(flags: GcpWorkloadIdentityFlags): GcpWorkloadIdentity | { readonly error: string } {
  const pool = flags.pool ?? (flags.project === undefined ? undefined : `${flags.project}.svc.id.goog`);
  if (pool === undefined) return { error: 'no workload identity pool: set --gcp-workload-identity-pool, or --gcp-project on GKE' };
  if (GKE_POOL.test(pool)) return resolveGke(pool, flags);
  const federation = FEDERATION_POOL.exec(pool);
  if (!federation?.[1]) {
    return { error: `--gcp-workload-identity-pool "${pool}" is neither PROJECT.svc.id.goog (GKE) nor projects/NUMBER/locations/global/workloadIdentityPools/POOL` };
  }
  const poolName = federation[1];
  if (flags.provider === undefined) return { error: `--gcp-workload-identity-provider is required with the pool ${poolName}` };
  const provider = flags.provider.replace(/^(?:\/\/iam\.googleapis\.com\/)?/, '');
  const full = provider.startsWith(`${poolName}/providers/`) ? provider : `${poolName}/providers/${provider}`;
  if (!PROVIDER_ID.test(full.slice(`${poolName}/providers/`.length))) {
    return { error: `--gcp-workload-identity-provider "${flags.provider}" is not a provider ID of the pool ${poolName}` };
  }
  const stsAudience = `//iam.googleapis.com/${full}`;
  return { tokenAudience: flags.tokenAudience ?? stsAudience, stsAudience, pool: poolName };
}

function resolveGke(pool: string, flags: GcpWorkloadIdentityFlags): GcpWorkloadIdentity | { readonly error: string } {
  const project = pool.slice(0, -'.svc.id.goog'.length);
  let provider = flags.provider;
  if (provider === undefined) {
    if (flags.clusterLocation === undefined || flags.clusterName === undefined) {
      return { error: `the GKE pool ${pool} needs --gcp-workload-identity-provider, or --gcp-cluster-location and --gcp-cluster-name` };
    }
    provider = `${GKE_CLUSTER_URL}/projects/${project}/locations/${flags.clusterLocation}/clusters/${flags.clusterName}`;
  }
  if (!provider.startsWith('https://')) {
    return { error: `--gcp-workload-identity-provider "${provider}" must be the cluster URL ${GKE_CLUSTER_URL}/projects/PROJECT/locations/LOCATION/clusters/CLUSTER for a GKE pool` };
  }
  return { tokenAudience: flags.tokenAudience ?? pool, stsAudience: `identitynamespace:${pool}:${provider}`, pool };
}

/** The IAM principal a pod's federated token stands for, as it appears in IAM bindings. */
export function federatedPrincipal(identity: GcpWorkloadIdentity, namespace: string, serviceAccount: string): string {
  if (identity.pool.endsWith('.svc.id.goog')) return `serviceAccount:${identity.pool}[${namespace}/${serviceAccount}]`;
  return `principal://iam.googleapis.com/${identity.pool}/subject/system:serviceaccount:${namespace}:${serviceAccount}`;
}
