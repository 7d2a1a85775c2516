/** Builds the azure-kv store from checked options and the shared parts; loaded with the Azure SDKs on the first Azure object. */
import type { Agent } from 'node:https';
import { exchangeRecorder } from '../../observability/exchange-metrics.ts';
import type { SharedParts } from '../store-module.ts';
import { ConnectAgent } from './connect-agent.ts';
import { AzureKeyVaultStore } from './key-vault-store.ts';
import { azureMetrics } from './metrics.ts';
import type { AzureOptions } from './options.ts';
import { AzureSessions } from './session.ts';

/** One Key Vault call or token request at most this long; a Mount's deadline is far longer, so a hung call fails in time to say why. */
export const AZURE_CALL_TIMEOUT_MS = 10_000;

/** Test seams: a clock, a shorter timeout, an agent of the test's own. */
export interface AzureStoreSeams {
  readonly now?: () => number;
  readonly timeoutMs?: number;
  readonly agent?: Agent;
}

/** The store. `ca` is the text of --azure-ca-file, read at start-up. */
export function createAzureStore(options: AzureOptions, ca: string | undefined, shared: SharedParts, seams: AzureStoreSeams = {}): AzureKeyVaultStore {
  const metrics = azureMetrics(shared.metricsRegistry);
  const timeoutMs = seams.timeoutMs ?? AZURE_CALL_TIMEOUT_MS;
  const agent = seams.agent ?? (options.connectTo.length > 0 || ca !== undefined ? new ConnectAgent(options.connectTo, ca) : undefined);
  const sessions = new AzureSessions({
    ...(agent === undefined ? {} : { agent }),
    ...(options.authorityHost === undefined ? {} : { authorityHost: options.authorityHost }),
    tokenAudience: options.tokenAudience,
    timeoutMs,
    metrics,
    onExchange: exchangeRecorder(shared.metricsRegistry, 'azure'),
    ...(seams.now === undefined ? {} : { now: seams.now }),
  });
  return new AzureKeyVaultStore({
    identity: {
      serviceAccounts: shared.serviceAccounts,
      tokenVerifier: shared.tokenVerifier,
      allowProviderIdentity: shared.allowProviderIdentity,
      tokenAudience: options.tokenAudience,
      secretHash: shared.contentVersion,
      ...(options.tenantId === undefined ? {} : { defaultTenantId: options.tenantId }),
      ...(options.authorityHost === undefined ? {} : { authorityHost: options.authorityHost }),
    },
    sessions,
    metrics,
    timeoutMs,
    ...(seams.now === undefined ? {} : { now: seams.now }),
    release: () => agent?.destroy(),
  });
}
