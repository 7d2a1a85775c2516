/**
 * A fake Azure for tests and benchmarks: Entra ID, Key Vault and a cluster token issuer on 127.0.0.1,
 * reached by the real SDKs under their real host names through one LoopbackAgent.
 */
import type { ExecutionContext } from 'ava';
import { AZURE_CLOUDS, cloudNamed, entraHostNames } from './clouds.ts';
import { ClusterIssuer, type ServiceAccountTokenClaims } from './cluster-issuer.ts';
import type { EntraApplication } from './entra-directory.ts';
import { FakeEntra } from './entra.ts';
import { FakeKeyVault } from './key-vault.ts';
import type { FakeVault, VaultSpec } from './key-vault-vault.ts';
import { LoopbackAgent } from './loopback-agent.ts';
import { generateChain } from './material-chain.ts';

/** Options for the world. */
export interface AzureWorldOptions {
  /** More Entra ID host names to serve (a custom authority host), besides every cloud's. */
  readonly extraEntraHosts?: readonly string[];
  readonly issuer?: string;
}

/** What the fakes counted: the figures an economy test or the benchmark reports. */
export interface AzureCounts {
  /** Token requests answered (refusals and injected faults included). */
  readonly tokenRequests: number;
  readonly tokenRequestsByClient: Readonly<Record<string, number>>;
  /** 401 challenges to requests without a token. */
  readonly challenges: number;
  /** Vault requests that carried an accepted token. */
  readonly vaultReads: number;
  /** The same, by `vault/kind/name` (`@version` appended for pinned reads). */
  readonly vaultReadsByObject: Readonly<Record<string, number>>;
  /** OpenID configuration, instance discovery and key reads. */
  readonly discoveryRequests: number;
}

/** The fakes and what a test passes to the SDKs. */
export interface AzureWorld {
  readonly entra: FakeEntra;
  readonly keyVault: FakeKeyVault;
  /** Signs pods' service-account tokens; Entra ID trusts it. */
  readonly cluster: ClusterIssuer;
  readonly agent: LoopbackAgent;
  /** Spread into the options of every credential and client: `{ agent }`. */
  readonly clientOptions: { readonly agent: LoopbackAgent };
  /** PEM of the CA that signed the fakes' TLS certificate (the agent trusts only it). */
  readonly caCertificate: string;
  /** A tenant created up front. */
  readonly tenantId: string;
  /** `https://<Entra host>` of a cloud (default public), for `authorityHost`. */
  authorityHost(cloud?: string): string;
  /** An application trusting tokens of `system:serviceaccount:NS:SA` from the cluster issuer. */
  workloadIdentity(namespace: string, serviceAccount: string, options?: { readonly tenantId?: string; readonly clientId?: string }): EntraApplication;
  /** An application with a client secret (a service principal from nodePublishSecretRef). */
  servicePrincipal(options?: { readonly tenantId?: string; readonly secret?: string }): EntraApplication & { readonly secret: string };
  /** Creates a vault (in the default tenant unless told). */
  vault(name: string, options?: Partial<Omit<VaultSpec, 'name'>> & { readonly cloud?: string }): FakeVault;
  /** A signed projected token for a pod's service account (audience `api://AzureADTokenExchange` by default). */
  podToken(namespace: string, serviceAccount: string, claims?: Omit<ServiceAccountTokenClaims, 'namespace' | 'serviceAccount'>): Promise<string>;
  /** What the fakes counted since the start or the last `resetCounts`. */
  counts(): AzureCounts;
  /** Forgets the recorded requests (between benchmark waves); configuration and faults stay. */
  resetCounts(): void;
}

/** Starts the world and stops it when the test ends. */
export async function startAzureWorld(t: ExecutionContext, options: AzureWorldOptions = {}): Promise<AzureWorld> {
  const world = await createAzureWorld(options);
  t.teardown(() => world.stop());
  return world;
}

/** Starts the world outside a test (benchmarks); `stop` closes servers and pooled connections. */
export async function createAzureWorld(options: AzureWorldOptions = {}): Promise<AzureWorld & { stop(): Promise<void> }> {
  refuseProxies();
  const entraHosts = [...entraHostNames(), ...(options.extraEntraHosts ?? [])];
  // EC keys: the TLS identity is made per world, and P-256 generation takes microseconds.
  const tls = generateChain({
    commonName: 'Courier Azure fakes',
    dnsNames: [...entraHosts, ...AZURE_CLOUDS.map((cloud) => `*.${cloud.vaultSuffix}`)],
    intermediates: 0,
    leafKey: { kty: 'EC', curve: 'P-256' },
    caKey: { kty: 'EC', curve: 'P-256' },
  });
  const identity = { key: tls.leaf.key.privateKeyPem, cert: tls.leaf.pem };
  const entra = new FakeEntra({ hosts: entraHosts });
  const keyVault = new FakeKeyVault((token) => entra.readAccessToken(token));
  const cluster = new ClusterIssuer(options.issuer);
  entra.directory.trustIssuer(cluster.issuer, cluster.jwks);
  const agent = new LoopbackAgent(tls.root.pem);
  const [entraPort, vaultPort] = await Promise.all([entra.start(identity), keyVault.start(identity)]);
  for (const host of entraHosts) agent.route({ host, port: entraPort });
  for (const cloud of AZURE_CLOUDS) agent.route({ host: `*.${cloud.vaultSuffix}`, port: vaultPort, resolves: (host) => keyVault.vaultAt(host) !== undefined });
  const tenantId = entra.directory.addTenant();
  return {
    entra,
    keyVault,
    cluster,
    agent,
    clientOptions: { agent },
    caCertificate: tls.root.pem,
    tenantId,
    authorityHost: (cloud) => `https://${cloudNamed(cloud).entraHost}`,
    workloadIdentity(namespace, serviceAccount, spec = {}) {
      return entra.directory.addApplication({
        tenantId: spec.tenantId ?? tenantId,
        ...(spec.clientId === undefined ? {} : { clientId: spec.clientId }),
        federatedCredentials: [{ name: `${namespace}-${serviceAccount}`, issuer: cluster.issuer, subject: `system:serviceaccount:${namespace}:${serviceAccount}` }],
      });
    },
    servicePrincipal(spec = {}) {
      const secret = spec.secret ?? `secret-${Math.random().toString(36).slice(2)}`;
      return { ...entra.directory.addApplication({ tenantId: spec.tenantId ?? tenantId, clientSecrets: [secret] }), secret };
    },
    vault: (name, spec = {}) => keyVault.addVault({ name, tenantId, ...spec }),
    podToken: (namespace, serviceAccount, claims = {}) => cluster.token({ ...claims, namespace, serviceAccount }),
    counts: () => countsOf(entra, keyVault),
    resetCounts() {
      entra.tokenRequests.length = 0;
      entra.discoveryRequests.length = 0;
      keyVault.requests.length = 0;
    },
    async stop() {
      agent.destroy();
      await Promise.all([entra.stop(), keyVault.stop()]);
    },
  };
}

function countsOf(entra: FakeEntra, keyVault: FakeKeyVault): AzureCounts {
  const tally = (keys: readonly string[]) => {
    const counted: Record<string, number> = {};
    for (const key of keys) counted[key] = (counted[key] ?? 0) + 1;
    return counted;
  };
  const reads = keyVault.requests.filter((record) => record.principal !== undefined);
  return {
    tokenRequests: entra.tokenRequests.length,
    tokenRequestsByClient: tally(entra.tokenRequests.map((record) => record.clientId)),
    challenges: keyVault.countChallenges(),
    vaultReads: reads.length,
    vaultReadsByObject: tally(reads.map((record) => `${record.vault}/${record.kind ?? '?'}/${record.name ?? '?'}${record.version ? `@${record.version}` : ''}`)),
    discoveryRequests: entra.discoveryRequests.length,
  };
}

/**
 * The SDK pipelines replace any agent with a proxy agent when HTTPS_PROXY and friends are set,
 * which would send test traffic off the machine; refuse to start instead.
 */
function refuseProxies(): void {
  for (const name of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy']) {
    if (process.env[name]) throw new Error(`${name} is set: the Azure SDKs would send requests to the proxy instead of the fakes; unset it`);
  }
}
