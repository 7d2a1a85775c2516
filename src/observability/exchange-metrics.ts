/** courier_token_exchanges_total: pod tokens exchanged for store credentials, by store, kind and outcome. */
import { Counter, type Registry } from 'prom-client';
import { failureLabel } from '../errors/to-grpc-status.ts';

/** Counts one exchange of `kind` (`irsa`, `pod_identity`, `workload_identity`, `impersonation`): outcome 'ok' or the error it failed with. */
export type ExchangeRecorder = (kind: string, outcome: unknown) => void;

const NAME = 'courier_token_exchanges_total';

/**
 * A recorder for `store` on `registry`. Every store shares the one counter on a registry (created by the
 * first caller), so the dashboard and alerts read one metric whatever the store. `outcome` is 'ok' or the
 * error the exchange failed with, counted as its lower-case gRPC code.
 */
export function exchangeRecorder(registry: Registry, store: string): ExchangeRecorder {
  const existing = registry.getSingleMetric(NAME) as Counter<'store' | 'kind' | 'outcome'> | undefined;
  const counter = existing ?? new Counter({ name: NAME, help: 'Pod tokens exchanged for store credentials (cache misses only), by store, kind and outcome.', labelNames: ['store', 'kind', 'outcome'], registers: [registry] });
  return (kind, outcome) => {
    const label = outcome === 'ok' ? 'ok' : failureLabel(outcome);
    counter.inc({ store, kind, outcome: label });
  };
}

/** Runs `exchange` and records its outcome. */
export async function recorded<T>(record: ExchangeRecorder | undefined, kind: string, exchange: () => Promise<T>): Promise<T> {
  try {
    const value = await exchange();
    record?.(kind, 'ok');
    return value;
  } catch (error) {
    record?.(kind, error);
    throw error;
  }
}
