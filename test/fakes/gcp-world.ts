/** A fake Google world for tests: STS, IAM Credentials and Secret Manager on loopback, wired to agree on who is who. */
import type { ExecutionContext } from 'ava';
import type { FetchContext } from '../../src/stores/backend.ts';
import { createSecretAccessClient, SecretAccessClients } from '../../src/stores/gcp/client.ts';
import { GcpSecretManagerStore, type ProviderCredentials } from '../../src/stores/gcp/secret-manager.ts';
import { GcpTokenSource } from '../../src/stores/gcp/token-source.ts';
import { resolveGcpWorkloadIdentity, type GcpWorkloadIdentity } from '../../src/stores/gcp/workload-identity.ts';
import type { ServiceAccountReader } from '../../src/kube/service-accounts.ts';
import type { PodInfo, ServiceAccountToken } from '../../src/spc/types.ts';
import { fakePodToken } from '../helpers/pod-token.ts';
import { FakeSecretManager } from './gcp-secret-manager.ts';
import { FakeIamCredentials } from './google-iam-credentials.ts';
import { FakeSts } from './google-sts.ts';

export const TEST_PROJECT = 'courier-test';
export const TEST_POOL = `${TEST_PROJECT}.svc.id.goog`;

/** The three fakes and the settings a Courier needs to use them. */
export interface GcpWorld {
  readonly identity: GcpWorkloadIdentity;
  readonly sts: FakeSts;
  readonly iam: FakeIamCredentials;
  readonly secretManager: FakeSecretManager;
  /** The IAM principal GKE gives a Kubernetes service account. */
  principalOf(namespace: string, serviceAccount: string): string;
  /** A gcp-sm store talking to the fakes. */
  store(serviceAccounts: ServiceAccountReader, options?: { providerCredentials?: ProviderCredentials }): GcpSecretManagerStore;
  /** A fetch context for a pod carrying its token for the pool audience. */
  context(pod: Partial<PodInfo>, signal?: AbortSignal): FetchContext;
}

/** Starts the fakes (stopped at test end) for a GKE-style pool. */
export async function startGcpWorld(t: ExecutionContext): Promise<GcpWorld> {
  const world = await createGcpWorld();
  t.teardown(() => world.stop());
  return world;
}

/** Starts the fakes for a GKE-style pool outside a test (benchmarks); `stop` closes them and every store made. */
export async function createGcpWorld(): Promise<GcpWorld & { stop(): Promise<void> }> {
  const resolved = resolveGcpWorkloadIdentity({ project: TEST_PROJECT, clusterLocation: 'europe-west1', clusterName: 'courier' });
  if ('error' in resolved) throw new Error(resolved.error);
  const identity = resolved;
  const principalOf = (namespace: string, serviceAccount: string) => `serviceAccount:${TEST_POOL}[${namespace}/${serviceAccount}]`;
  const sts = new FakeSts(identity.stsAudience, identity.tokenAudience);
  await sts.start();
  const federated = (token: string) => {
    const subject = sts.subjectOf(token)?.split(':');
    return subject?.length === 4 ? principalOf(subject[2] ?? '', subject[3] ?? '') : undefined;
  };
  const iam = new FakeIamCredentials(federated);
  await iam.start();
  const secretManager = new FakeSecretManager({
    principalOf: (token) => {
      const impersonated = iam.serviceAccountOf(token);
      return impersonated === undefined ? federated(token) : `serviceAccount:${impersonated}`;
    },
  });
  await secretManager.start();
  const stores: GcpSecretManagerStore[] = [];
  return {
    identity,
    sts,
    iam,
    secretManager,
    principalOf,
    store(serviceAccounts, options = {}) {
      const clients = new SecretAccessClients((endpoint) => createSecretAccessClient(endpoint, true));
      const tokenSource = new GcpTokenSource({ identity, stsUrl: sts.tokenUrl, iamCredentialsUrl: iam.url }, serviceAccounts);
      const store = new GcpSecretManagerStore({
        clients,
        endpoints: { global: secretManager.endpoint, regional: secretManager.endpoint },
        tokenSource,
        ...(options.providerCredentials ? { providerCredentials: options.providerCredentials } : {}),
      });
      stores.push(store);
      return store;
    },
    context(partial, signal = new AbortController().signal) {
      const pod: PodInfo = { name: 'app-0', namespace: 'team-a', uid: 'uid-0', serviceAccount: 'app', ...partial };
      const token: ServiceAccountToken = {
        audience: identity.tokenAudience,
        token: fakePodToken({ namespace: pod.namespace, serviceAccount: pod.serviceAccount, audience: identity.tokenAudience }),
        expirationTimestamp: '',
      };
      return { pod, tokens: new Map([[identity.tokenAudience, token]]), signal };
    },
    async stop() {
      await Promise.all(stores.map((store) => store.close()));
      await Promise.all([secretManager.stop(), iam.stop(), sts.stop()]);
    },
  };
}

/** A ServiceAccountReader over a plain object `{ 'ns/name': annotations }`; unknown accounts have none. */
export function staticServiceAccounts(accounts: Readonly<Record<string, Readonly<Record<string, string>>>>): ServiceAccountReader & { reads: number } {
  const reader = {
    reads: 0,
    annotations(namespace: string, name: string) {
      reader.reads += 1;
      return Promise.resolve(accounts[`${namespace}/${name}`] ?? {});
    },
  };
  return reader;
}
