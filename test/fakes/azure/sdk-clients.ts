/** The real Azure SDK clients pointed at the fakes: the seam the azure-kv store reuses, in one place. */
import { request } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import { ClientAssertionCredential } from '@azure/identity';
import { CertificateClient } from '@azure/keyvault-certificates';
import { KeyClient } from '@azure/keyvault-keys';
import { SecretClient } from '@azure/keyvault-secrets';
import type { AzureWorld } from './azure-world.ts';
import type { EntraApplication } from './entra-directory.ts';
import type { FakeVault } from './key-vault-vault.ts';

/** Retry quickly in tests; `Retry-After` from the fakes is still honoured by the SDK's throttling policy. */
export const FAST_RETRIES = { retryOptions: { retryDelayInMs: 10, maxRetryDelayInMs: 50 } } as const;

/** A workload-identity credential for a pod: a fresh signed service-account token is the client assertion. */
export function podCredential(world: AzureWorld, application: EntraApplication, namespace: string, serviceAccount: string): ClientAssertionCredential {
  return new ClientAssertionCredential(application.tenantId, application.clientId, () => world.podToken(namespace, serviceAccount), world.clientOptions);
}

/** The three Key Vault clients for a vault, each with the world's agent. */
export function vaultClients(world: AzureWorld, vault: FakeVault, credential: ClientAssertionCredential, options: object = FAST_RETRIES) {
  const clientOptions = { ...world.clientOptions, ...options };
  return {
    secrets: new SecretClient(vault.url, credential, clientOptions),
    keys: new KeyClient(vault.url, credential, clientOptions),
    certificates: new CertificateClient(vault.url, credential, clientOptions),
  };
}

/** A pod identity with an access-policy grant on a new vault, and its clients: the common test set-up. */
export function podWithVault(world: AzureWorld, permissions: { secrets?: Array<'get' | 'list'>; keys?: Array<'get' | 'list'>; certificates?: Array<'get' | 'list'> } = { secrets: ['get', 'list'], keys: ['get', 'list'], certificates: ['get', 'list'] }) {
  const application = world.workloadIdentity('team-a', 'app');
  const vault = world.vault('courier-kv');
  vault.allow({ objectId: application.objectId, ...permissions });
  const credential = podCredential(world, application, 'team-a', 'app');
  return { application, vault, credential, ...vaultClients(world, vault, credential) };
}

/** A raw GET through the world's agent, for wire details the SDKs hide (challenge headers, token refusals). */
export function rawGet(world: AzureWorld, url: string, token?: string): Promise<{ status: number; headers: IncomingHttpHeaders; body: unknown }> {
  return new Promise((resolve, reject) => {
    const call = request(url, { agent: world.agent, headers: token === undefined ? {} : { authorization: `Bearer ${token}` } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text === '' ? undefined : JSON.parse(text) });
      });
    });
    call.on('error', reject);
    call.end();
  });
}
