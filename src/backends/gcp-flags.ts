/** The `--gcp-*` settings of `courier serve`, kept free of Google libraries so the CLI starts fast. */

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

/** Flag names (commander's camelCase keys) and the option each fills. */
const FLAG_KEYS: ReadonlyArray<[string, keyof GcpStoreOptions]> = [
  ['gcpWorkloadIdentityPool', 'workloadIdentityPool'],
  ['gcpWorkloadIdentityProvider', 'workloadIdentityProvider'],
  ['gcpTokenAudience', 'tokenAudience'],
  ['gcpProject', 'project'],
  ['gcpClusterLocation', 'clusterLocation'],
  ['gcpClusterName', 'clusterName'],
  ['gcpSecretManagerEndpoint', 'secretManagerEndpoint'],
  ['gcpSecretManagerRegionalEndpoint', 'secretManagerRegionalEndpoint'],
  ['gcpStsEndpoint', 'stsEndpoint'],
  ['gcpIamCredentialsEndpoint', 'iamCredentialsEndpoint'],
];

/** Collects the `--gcp-*` flags of `courier serve` into `{ gcp }`; empty when none is set. */
export function gcpOptionsFromFlags(flags: Readonly<Record<string, unknown>>): { readonly gcp?: GcpStoreOptions } {
  const options: Record<string, string | boolean> = {};
  for (const [flag, key] of FLAG_KEYS) {
    const value = flags[flag];
    if (typeof value === 'string' && value !== '') options[key] = value;
  }
  if (flags['gcpPlaintext'] === true || flags['gcpPlaintext'] === 'true') options['plaintext'] = true;
  return Object.keys(options).length === 0 ? {} : { gcp: Object.freeze(options as GcpStoreOptions) };
}

/** True when the settings turn gcp-sm on: a workload identity pool, or a GKE project it is derived from. */
export function gcpStoreEnabled(options: GcpStoreOptions | undefined): boolean {
  return options?.workloadIdentityPool !== undefined || options?.project !== undefined;
}
