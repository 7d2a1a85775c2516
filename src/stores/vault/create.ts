/** Builds the vault store from the administrator's options and the parts every store shares. */
import { exchangeRecorder } from '../../observability/exchange-metrics.ts';
import type { SharedParts } from '../store-module.ts';
import { AgentPool } from './agents.ts';
import { DEFAULT_CALL_TIMEOUT_MS, VaultClient } from './client.ts';
import type { VaultOptions } from './flags.ts';
import { LeaseCache } from './leases.ts';
import { createVaultMetrics } from './metrics.ts';
import { MountCache } from './mounts.ts';
import { VaultTokens } from './tokens.ts';
import { VaultStore } from './vault-store.ts';

/** Test and benchmark seams; production leaves them unset. */
export interface VaultStoreSeams {
  /** The clock of token, mount and lease lifetimes (epoch ms); a benchmark moves it with the fake Vault's. */
  readonly now?: () => number;
  /** Longest one Vault call may take (default 10 s). */
  readonly callTimeoutMs?: number;
}

/** The vault store. Tokens, mounts and leases are cached inside it for as long as the process runs. */
export function createVaultStore(options: VaultOptions, shared: SharedParts, seams: VaultStoreSeams = {}): VaultStore {
  const now = seams.now ?? Date.now;
  const timeoutMs = seams.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
  const agents = new AgentPool(options.tls);
  // The lease cache exists before the metrics that read its size at scrape time.
  const holder: { leases?: LeaseCache } = {};
  const metrics = createVaultMetrics(shared.metricsRegistry, () => holder.leases?.size ?? 0);
  const leases = new LeaseCache(options.leaseFraction, metrics, now);
  holder.leases = leases;
  return new VaultStore({
    options,
    client: new VaultClient(agents, timeoutMs),
    agents,
    // A login and a renewal attempt may both run before a token is handed out; a caller does not join one older than that.
    tokens: new VaultTokens(metrics, 2 * timeoutMs + 1_000, now, exchangeRecorder(shared.metricsRegistry, 'vault')),
    mounts: new MountCache(now),
    leases,
    metrics,
    tokenVerifier: shared.tokenVerifier,
    contentVersion: shared.contentVersion,
  });
}
