/** A fake Vault seeded with KV v1/v2, database and PKI engines and Kubernetes auth, and a vault store pointed at it, for the store's tests. */
import type { ExecutionContext } from 'ava';
import { Registry } from 'prom-client';
import type { Backend, FetchContext, FetchRequest, FetchResult } from '../../../src/stores/backend.ts';
import type { StoreFlags } from '../../../src/stores/store-module.ts';
import { createVaultStore, type VaultStoreSeams } from '../../../src/stores/vault/create.ts';
import { readVaultOptions } from '../../../src/stores/vault/flags.ts';
import type { PodInfo } from '../../../src/spc/types.ts';
import { JwtIssuer, useFakeVault, type FakeVault, type FakeVaultOptions } from '../../fakes/vault/index.ts';
import { testSharedParts } from '../../helpers/shared-parts.ts';

/** The pod most tests mount for. */
export const POD: PodInfo = { name: 'app-0', namespace: 'team-a', uid: 'uid-app-0', serviceAccount: 'app' };

/** The policy of role `app`: what the seeded secrets need. */
export const APP_POLICY = `
path "secret/data/app/*" { capabilities = ["read"] }
path "kv/app/*" { capabilities = ["read"] }
path "database/creds/app" { capabilities = ["read"] }
path "pki/issue/web" { capabilities = ["update"] }
`;

/** A running world. */
export interface VaultWorld {
  readonly vault: FakeVault;
  readonly issuer: JwtIssuer;
  /** The Kubernetes auth method at auth/kubernetes: `kubernetes.role(name, {...})` adds roles. */
  readonly kubernetes: ReturnType<FakeVault['enableKubernetesAuth']>;
  readonly store: Backend;
  readonly registry: Registry;
  /** The FetchContext of a Mount by `pod` (default POD) with a signed token for `audience` (default vault). */
  context(pod?: Partial<PodInfo>, audience?: string): Promise<FetchContext>;
  /** identityKey of every request (as the fetch layer asks), then one fetch of them all. */
  fetch(requests: readonly FetchRequest[], context?: FetchContext): Promise<FetchResult[]>;
}

/** A request for `locator` with the native settings role `app` plus `params`. */
export function vaultRequest(locator: string, params: Readonly<Record<string, string>> = {}, pin: { version?: string } = {}): FetchRequest {
  return { locator, storeParams: { role: 'app', ...params }, ...pin };
}

/** The text of a result, failing the test when it is an error. */
export function textOf(t: ExecutionContext, result: FetchResult | undefined): string {
  if (!result?.ok) {
    t.fail(`expected a value, got ${result?.ok === false ? result.error.message : 'nothing'}`);
    return '';
  }
  return Buffer.from(result.contents).toString('utf8');
}

/** The error message of a result, failing the test when it is a value. */
export function errorOf(t: ExecutionContext, result: FetchResult | undefined): string {
  if (result?.ok !== false) {
    t.fail('expected an error, got a value');
    return '';
  }
  return `${result.error.name}: ${result.error.message}`;
}

/** Starts the fake, seeds it and builds the store (`flags` may be made from the running fake); everything stops in teardown. */
export async function startVaultWorld(
  t: ExecutionContext,
  options: { readonly flags?: StoreFlags | ((vault: FakeVault) => Promise<StoreFlags>); readonly fake?: FakeVaultOptions; readonly seams?: VaultStoreSeams } = {},
): Promise<VaultWorld> {
  const vault = await useFakeVault(t, options.fake ?? {});
  const issuer = new JwtIssuer();
  const kv2 = vault.kvV2('secret');
  kv2.put('app/db', { password: 'old' });
  kv2.put('app/db', { user: 'app', password: 's3cret' });
  vault.kvV1('kv').put('app/config', { host: 'db.internal', port: 5432 });
  vault.database('database', { app: { defaultTtl: 3600, maxTtl: 86_400 } });
  vault.pki('pki', { web: { allowedDomains: ['example.com'], allowSubdomains: true, ttl: 3600 } });
  const kubernetes = vault.enableKubernetesAuth({
    publicKeys: [issuer.publicKeyPem],
    roles: { app: { boundServiceAccountNames: ['app'], boundServiceAccountNamespaces: ['team-a'], audience: 'vault', tokenPolicies: ['app'], tokenTtl: 600, tokenMaxTtl: 3600 } },
  });
  vault.writePolicy('app', APP_POLICY);
  const registry = new Registry();
  const flags = typeof options.flags === 'function' ? await options.flags(vault) : options.flags;
  const store = createVaultStore(readVaultOptions({ addr: vault.url, ...flags }), testSharedParts({ metricsRegistry: registry }), { now: () => vault.clock.now(), ...options.seams });
  t.teardown(() => store.close?.());
  const context = async (pod: Partial<PodInfo> = {}, audience = 'vault'): Promise<FetchContext> => {
    const info = { ...POD, ...pod };
    // Issued on the fake's clock, so a test that moves it forward still presents a current token.
    const token = await issuer.podToken({ namespace: info.namespace, serviceAccount: info.serviceAccount, audience, podName: info.name }, vault.clock.nowSeconds());
    return { signal: new AbortController().signal, pod: info, tokens: new Map([[audience, { audience, token, expirationTimestamp: '' }]]) };
  };
  const fetch = async (requests: readonly FetchRequest[], given?: FetchContext) => {
    const ctx = given ?? (await context());
    await Promise.all(requests.map((request) => store.identityKey(request, ctx)));
    return store.fetch(requests, ctx);
  };
  return { vault, issuer, kubernetes, store, registry, context, fetch };
}
