/** The azure-kv store over the Azure fakes for tests: a world, a workload identity with a vault, the store built with the world's agent, and pod contexts. */
import type { ExecutionContext } from 'ava';
import { Registry } from 'prom-client';
import type { ServiceAccountReader } from '../../../src/kube/service-accounts.ts';
import type { FetchContext, FetchRequest } from '../../../src/stores/backend.ts';
import { createAzureStore, type AzureStoreSeams } from '../../../src/stores/azure/create.ts';
import type { AzureKeyVaultStore } from '../../../src/stores/azure/key-vault-store.ts';
import { azureOptions } from '../../../src/stores/azure/options.ts';
import type { StoreFlags } from '../../../src/stores/store-module.ts';
import { startAzureWorld, type AzureWorld } from '../../fakes/azure/azure-world.ts';
import type { EntraApplication } from '../../fakes/azure/entra-directory.ts';
import type { FakeVault } from '../../fakes/azure/key-vault-vault.ts';
import { testSharedParts } from '../../helpers/shared-parts.ts';

export const AUDIENCE = 'api://AzureADTokenExchange';
export const VAULT = 'courier-kv';

/** ServiceAccount annotations by `namespace/name`, counting reads. */
export function staticAccounts(accounts: Readonly<Record<string, Readonly<Record<string, string>>>>): ServiceAccountReader & { reads: number } {
  const reader = {
    reads: 0,
    annotations(namespace: string, name: string) {
      reader.reads += 1;
      return Promise.resolve(accounts[`${namespace}/${name}`] ?? {});
    },
  };
  return reader;
}

/** What a test gets. */
export interface AzureFixture {
  readonly world: AzureWorld;
  /** The workload identity of team-a/app, with get and list on every kind in `vault`. */
  readonly app: EntraApplication;
  readonly vault: FakeVault;
  readonly store: AzureKeyVaultStore;
  readonly registry: Registry;
  readonly accounts: ServiceAccountReader & { reads: number };
  /** A Mount's context for a pod of `namespace/serviceAccount` with a fresh signed token. */
  readonly context: (namespace?: string, serviceAccount?: string, extra?: Partial<FetchContext>) => Promise<FetchContext>;
  /** A request for `kind/name` in the vault with the identity settings of the app (tenant and client from the annotation). */
  readonly request: (locator: string, fields?: Partial<FetchRequest>) => FetchRequest;
  /** Builds another store over the same world (other flags, shared parts or seams). */
  readonly newStore: (options?: { readonly flags?: StoreFlags; readonly allowProviderIdentity?: boolean; readonly seams?: AzureStoreSeams }) => AzureKeyVaultStore;
}

/** Starts the world and builds the store; everything stops in teardown. */
export async function azureFixture(t: ExecutionContext): Promise<AzureFixture> {
  const world = await startAzureWorld(t);
  const app = world.workloadIdentity('team-a', 'app');
  const vault = world.vault(VAULT);
  vault.allow({ objectId: app.objectId, secrets: ['get', 'list'], keys: ['get', 'list'], certificates: ['get', 'list'] });
  const accounts = staticAccounts({ 'team-a/app': { 'azure.workload.identity/client-id': app.clientId, 'azure.workload.identity/tenant-id': app.tenantId } });
  const registry = new Registry();
  const newStore: AzureFixture['newStore'] = (options = {}) => {
    const shared = testSharedParts({ serviceAccounts: accounts, metricsRegistry: registry, allowProviderIdentity: options.allowProviderIdentity ?? false });
    return createAzureStore(azureOptions(options.flags ?? {}), undefined, shared, { agent: world.agent, ...options.seams });
  };
  const store = newStore();
  return {
    world,
    app,
    vault,
    store,
    registry,
    accounts,
    context: async (namespace = 'team-a', serviceAccount = 'app', extra = {}) => {
      const token = await world.podToken(namespace, serviceAccount);
      return {
        signal: AbortSignal.timeout(30_000),
        pod: { name: `${serviceAccount}-0`, namespace, uid: 'uid-0', serviceAccount },
        tokens: new Map([[AUDIENCE, { audience: AUDIENCE, token, expirationTimestamp: '' }]]),
        ...extra,
      };
    },
    request: (locator, fields = {}) => ({ locator: locator.includes('/') && locator.split('/').length >= 3 ? locator : `${VAULT}/${locator}`, storeParams: {}, ...fields }),
    newStore,
  };
}

/** The text of a successful result, or the error message. */
export function textOf(result: { ok: true; contents: Uint8Array } | { ok: false; error: Error } | undefined): string {
  if (result === undefined) return '(no result)';
  return result.ok ? Buffer.from(result.contents).toString('utf8') : `error: ${result.error.message}`;
}
