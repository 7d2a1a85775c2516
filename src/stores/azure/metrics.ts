/** The azure-kv store's Prometheus metrics (`courier_azure_*`), registered once on the shared registry; labels are bounded. */
import { Counter, type Registry } from 'prom-client';

/** What the store counts. */
export interface AzureMetrics {
  /** Token requests sent to Entra ID (cache hits are not counted), by identity kind and outcome. */
  readonly tokenRequests: Counter<'identity' | 'outcome'>;
  /** Key Vault calls by object type, operation (get, list) and outcome (ok or a lower-case gRPC code). */
  readonly keyVaultRequests: Counter<'object_type' | 'operation' | 'outcome'>;
  /** Sessions dropped because Key Vault refused their token, by identity kind. */
  readonly sessionRebuilds: Counter<'identity'>;
}

/** The store's metrics on `registry`; a second store on the same registry shares them. */
export function azureMetrics(registry: Registry): AzureMetrics {
  const counter = <T extends string>(name: string, help: string, labelNames: readonly T[]): Counter<T> =>
    (registry.getSingleMetric(name) as Counter<T> | undefined) ?? new Counter({ name, help, labelNames, registers: [registry] });
  return {
    tokenRequests: counter('courier_azure_token_requests_total', 'Access token requests sent to Entra ID, by identity kind and outcome.', ['identity', 'outcome']),
    keyVaultRequests: counter('courier_azure_key_vault_requests_total', 'Key Vault calls by object type, operation and outcome.', ['object_type', 'operation', 'outcome']),
    sessionRebuilds: counter('courier_azure_session_rebuilds_total', 'Credentials and clients rebuilt after Key Vault refused a token, by identity kind.', ['identity']),
  };
}
