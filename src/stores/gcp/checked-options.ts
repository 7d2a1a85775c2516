/** The gcp-sm flags checked at start-up, without the Google libraries: the workload identity pool and the token endpoints. */
import { ConfigError } from '../../errors/courier-error.ts';
import { DEFAULT_IAM_CREDENTIALS_URL, DEFAULT_STS_URL, type GcpStoreOptions } from './options.ts';
import { resolveGcpWorkloadIdentity, type GcpWorkloadIdentity } from './workload-identity.ts';

/** What the store is built from once the flags are known to be right. */
export interface CheckedGcpOptions {
  readonly identity: GcpWorkloadIdentity;
  readonly stsUrl: string;
  readonly iamCredentialsUrl: string;
}

/** Throws ConfigError naming the flag that is wrong. */
export function checkGcpOptions(options: GcpStoreOptions): CheckedGcpOptions {
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
  return {
    identity,
    stsUrl: checkedUrl(options.stsEndpoint ?? DEFAULT_STS_URL, '--gcp-sts-endpoint', plaintext),
    iamCredentialsUrl: checkedUrl(options.iamCredentialsEndpoint ?? DEFAULT_IAM_CREDENTIALS_URL, '--gcp-iam-credentials-endpoint', plaintext),
  };
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
