/** Builds the stores enabled by the server's options. */
import type { StoreName } from '../spc/types.ts';
import type { Backend, BackendRegistry } from './backend.ts';
import { FileStore } from './file-store.ts';
import type { ServiceAccountReader } from '../kube/service-accounts.ts';
import type { AwsStoresOptions } from './aws-stores.ts';
import { lazyBackend } from './lazy-backend.ts';
import { gcpStoreEnabled, type GcpStoreOptions } from './gcp-flags.ts';

/** Store settings taken from flags. */
export interface StoreOptions {
  readonly localStore?: string;
  /** Region for AWS objects that name none (--aws-region, default AWS_REGION). */
  readonly awsRegion?: string;
  /** Replaces the EKS Pod Identity agent's link-local URLs (--eks-pod-identity-agent-url). */
  readonly eksPodIdentityAgentUrl?: string;
  /** Google settings; gcp-sm is on when they name a workload identity pool or project. */
  readonly gcp?: GcpStoreOptions;
  /** Lets SecretProviderClasses ask for Courier's own cloud identity (--allow-provider-identity). */
  readonly allowProviderIdentity?: boolean;
}

/** Long-lived parts stores use besides flags. */
export interface StoreParts {
  /** Reads ServiceAccount annotations (the IRSA role); AWS IRSA mounts fail clearly without it. */
  readonly serviceAccounts?: ServiceAccountReader;
}

/** Starts every enabled store; a store whose options are absent is not enabled. */
export async function startBackends(options: StoreOptions, parts: StoreParts = {}): Promise<BackendRegistry> {
  const backends = new Map<StoreName, Backend>();
  // The AWS stores need no server-side settings (each pod brings its identity), so they are always
  // on; the SDK loads with the first AWS object, so a Courier that serves none does not carry it.
  const awsOptions: AwsStoresOptions = {
    ...(options.awsRegion === undefined ? {} : { defaultRegion: options.awsRegion }),
    ...(options.eksPodIdentityAgentUrl === undefined ? {} : { podIdentityAgentUrl: options.eksPodIdentityAgentUrl }),
    ...(parts.serviceAccounts === undefined ? {} : { serviceAccounts: parts.serviceAccounts }),
  };
  let aws: Promise<Backend[]> | undefined;
  const loadAws = () =>
    (aws ??= import('./aws-stores.ts').then(
      ({ createAwsStores }) => createAwsStores(awsOptions),
      (error: unknown) => {
        aws = undefined;
        throw error;
      },
    ));
  for (const store of ['aws-sm', 'aws-ssm'] as const) {
    backends.set(store, lazyBackend(store, async () => (await loadAws()).find((backend) => backend.store === store) as Backend));
  }
  if (gcpStoreEnabled(options.gcp)) {
    // Loaded only when enabled: the Google client libraries cost start-up time and memory.
    const { createGcpStore } = await import('./gcp-setup.ts');
    const gcp = createGcpStore(options.gcp ?? {}, options.allowProviderIdentity === true, parts.serviceAccounts);
    if (gcp) backends.set('gcp-sm', gcp);
  }
  if (options.localStore !== undefined) {
    const store = new FileStore(options.localStore);
    await store.start();
    backends.set('file', store);
  }
  return backends;
}

/** Closes every store (watchers, clients, sockets). */
export async function closeBackends(backends: BackendRegistry): Promise<void> {
  await Promise.all([...backends.values()].map(async (backend) => backend.close?.()));
}
