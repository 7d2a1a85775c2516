/** The vault store's own Prometheus metrics (logins, token cache, renewals, mount lookups, leases), on the registry it is given. */
import { Counter, Gauge, type Registry } from 'prom-client';

/** What the vault store counts; every label is bounded (an outcome), never a path, role or pod. */
export interface VaultMetrics {
  /** Logins by outcome: `ok`, or the lower-case gRPC code of the failure. */
  readonly logins: Counter<'outcome'>;
  /** Requests served a cached Vault token (no login, no renewal). */
  readonly tokenCacheHits: Counter;
  /** renew-self calls by outcome: `ok`, `capped` (near the max TTL: a login follows), `failed`. */
  readonly tokenRenewals: Counter<'outcome'>;
  /** sys/internal/ui/mounts calls by outcome: `ok`, `denied`, `unknown`, `failed`. */
  readonly mountLookups: Counter<'outcome'>;
  /** Leased answers Vault issued (dynamic credentials, certificates with a lease). */
  readonly leasesIssued: Counter;
  /** Mounts served a lease the pod already holds instead of a new one. */
  readonly leasesReused: Counter;
  /** Leases held for pods right now. */
  readonly leasesHeld: Gauge;
}

/**
 * Creates the metrics on `registry`, or returns the ones already there (a second vault store on the
 * same registry, as in tests, counts into the same series). `heldLeases` is read at scrape time.
 */
export function createVaultMetrics(registry: Registry, heldLeases: () => number): VaultMetrics {
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
    (registry.getSingleMetric(name) as Counter<L> | undefined) ?? new Counter<L>({ name, help, labelNames, registers: [registry] });
  const held = (registry.getSingleMetric('courier_vault_leases_held') as Gauge | undefined) ??
    new Gauge({
      name: 'courier_vault_leases_held',
      help: 'Vault leases Courier holds for pods until they are issued anew.',
      registers: [registry],
      collect() {
        this.set(heldLeases());
      },
    });
  return {
    logins: counter('courier_vault_logins_total', 'Vault logins with pod tokens, by outcome.', ['outcome']),
    tokenCacheHits: counter('courier_vault_token_cache_hits_total', 'Requests served a cached Vault token.'),
    tokenRenewals: counter('courier_vault_token_renewals_total', 'Vault token renew-self calls, by outcome.', ['outcome']),
    mountLookups: counter('courier_vault_mount_lookups_total', 'sys/internal/ui/mounts lookups, by outcome.', ['outcome']),
    leasesIssued: counter('courier_vault_leases_issued_total', 'Leased Vault answers issued for pods.'),
    leasesReused: counter('courier_vault_leases_reused_total', 'Mounts served a lease the pod already holds.'),
    leasesHeld: held,
  };
}
