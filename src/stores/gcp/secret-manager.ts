/** The `gcp-sm` store: Google Secret Manager, global and regional, read with the pod's Google identity. */
import { crc32c } from '@aws-crypto/crc32c';
import { status } from '../../errors/status-codes.ts';
import { AuthError, ConfigError, CourierError } from '../../errors/courier-error.ts';
import { federatedPrincipal, type GcpTokenSource } from './token-source.ts';
import type { Backend, FetchContext, FetchRequest, FetchResult } from '../backend.ts';
import type { AccessResponse, SecretAccessClients } from './client.ts';
import { RejectedTokenError, toSecretManagerError } from './errors.ts';
import { endpointFor, formatSecretVersionName, GCP_AUTH_MODES, parseSecretVersionName, type GcpAuthMode, type SecretManagerEndpoints } from './locator.ts';

/** Courier's own Google credentials (application default credentials), used only for `auth: provider-adc`. */
export interface ProviderCredentials {
  getAccessToken(): Promise<{ token?: string | null | undefined }>;
}

/** What the store is built with. */
export interface GcpSecretManagerParts {
  readonly clients: SecretAccessClients;
  readonly endpoints: SecretManagerEndpoints;
  /** Absent when no workload identity pool is configured; then only `provider-adc` can work. */
  readonly tokenSource?: GcpTokenSource;
  /** Set only when the administrator passed --allow-provider-identity. */
  readonly providerCredentials?: ProviderCredentials;
}

/**
 * Secret Manager has no batch read. A batch of up to 10 names is read with parallel calls over
 * one HTTP/2 channel after one identity resolution (ServiceAccount read, token lookup), which
 * is what a batch saves; larger batches would only delay the first failure report.
 */
const BATCH_SIZE = 10;

/** Google Secret Manager as a Courier store. */
export class GcpSecretManagerStore implements Backend {
  readonly store = 'gcp-sm';
  readonly maxBatchSize = BATCH_SIZE;
  readonly #parts: GcpSecretManagerParts;

  constructor(parts: GcpSecretManagerParts) {
    this.#parts = parts;
  }

  /** `provider-adc`, or `pod-adc:NAMESPACE/SA:GSA` (GSA empty when the federated identity is used directly). */
  async identityKey(request: FetchRequest, context: FetchContext): Promise<string> {
    if (authMode(request) === 'provider-adc') {
      this.#providerCredentials();
      return 'provider-adc';
    }
    const source = this.#tokenSource();
    const { pod } = context;
    // Fails early (UNAUTHENTICATED with the tokenRequests hint) before any Kubernetes API read.
    await source.podToken(pod, context.tokens, context.signal);
    const target = await source.targetServiceAccount(pod, context.signal);
    return `pod-adc:${pod.namespace}/${pod.serviceAccount}:${target ?? ''}`;
  }

  async fetch(requests: readonly FetchRequest[], context: FetchContext): Promise<FetchResult[]> {
    const first = requests[0];
    if (!first) return [];
    const mode = authMode(first);
    const credentials = await this.#credentials(mode, context);
    const results = await Promise.all(requests.map((request) => this.#fetchOne(request, credentials.token, credentials.principal, context.signal)));
    const refused = results.flatMap((result, index) => (!result.ok && result.error instanceof RejectedTokenError ? [index] : []));
    if (refused.length === 0 || mode === 'provider-adc' || !this.#parts.tokenSource) return results;
    // Secret Manager no longer accepts the cached access token (revoked, expired early): exchange again, once.
    this.#parts.tokenSource.forget(context.pod, credentials.target);
    const fresh = await this.#credentials(mode, context);
    await Promise.all(refused.map(async (index) => (results[index] = await this.#fetchOne(requests[index] as FetchRequest, fresh.token, fresh.principal, context.signal))));
    return results;
  }

  async close(): Promise<void> {
    await this.#parts.clients.close();
  }

  async #credentials(mode: GcpAuthMode, context: FetchContext): Promise<{ token: string; principal: string; target?: string }> {
    if (mode === 'provider-adc') {
      const { token } = await this.#providerCredentials()
        .getAccessToken()
        .catch((error: unknown) => {
          throw new AuthError(`Courier's own Google credentials (auth: provider-adc) could not be loaded: ${(error as Error).message}`, { cause: error });
        });
      if (!token) throw new AuthError('Courier\'s own Google credentials (auth: provider-adc) gave no access token');
      return { token, principal: 'Courier\'s own Google identity (auth: provider-adc)' };
    }
    const source = this.#tokenSource();
    const target = await source.targetServiceAccount(context.pod, context.signal);
    const token = await source.accessToken(context.pod, context.tokens, target, context.signal);
    const principal = target === undefined ? federatedPrincipal(source.identity, context.pod.namespace, context.pod.serviceAccount) : `serviceAccount:${target}`;
    return { token, principal, ...(target === undefined ? {} : { target }) };
  }

  async #fetchOne(request: FetchRequest, token: string, principal: string, signal: AbortSignal): Promise<FetchResult> {
    const parsed = parseSecretVersionName(request.locator, request.version);
    if ('error' in parsed) return { ok: false, error: new ConfigError(parsed.error) };
    const name = formatSecretVersionName(parsed);
    try {
      const response = await this.#parts.clients.for(endpointFor(parsed, this.#parts.endpoints)).access(name, token, signal);
      return { ok: true, ...checkedPayload(response, name) };
    } catch (error) {
      return { ok: false, error: toSecretManagerError(error, { name, principal, aborted: signal.aborted }) };
    }
  }

  #tokenSource(): GcpTokenSource {
    if (this.#parts.tokenSource) return this.#parts.tokenSource;
    throw new AuthError('gcp-sm reads with the pod\'s workload identity, but this Courier has no workload identity pool; the administrator must start it with --gcp-workload-identity-pool (or --gcp-project on GKE)');
  }

  #providerCredentials(): ProviderCredentials {
    if (this.#parts.providerCredentials) return this.#parts.providerCredentials;
    throw new ConfigError(
      'auth "provider-adc" reads secrets with Courier\'s own Google identity, which would let any pod read what Courier can; this Courier does not allow it (the administrator can start it with --allow-provider-identity); remove "auth" to use the pod\'s workload identity',
    );
  }
}

/** The store setting `auth`, checked. */
export function authMode(request: FetchRequest): GcpAuthMode {
  const value = request.storeParams['auth'] ?? 'pod-adc';
  if ((GCP_AUTH_MODES as readonly string[]).includes(value)) return value as GcpAuthMode;
  throw new ConfigError(`auth "${value}" is not one of ${GCP_AUTH_MODES.join(', ')}`);
}

/** Payload bytes and resolved version; a CRC32C that does not match the bytes is an error, not a file. */
function checkedPayload(response: AccessResponse, name: string): { contents: Uint8Array; version: string } {
  const raw = response.payload?.data ?? new Uint8Array();
  const contents = typeof raw === 'string' ? Buffer.from(raw, 'base64') : raw;
  const sent = response.payload?.dataCrc32c;
  if (sent !== undefined && sent !== null && Number(String(sent)) !== crc32c(contents)) {
    throw new CourierError(status.DATA_LOSS, `the payload of ${name} does not match the CRC32C Secret Manager sent; it was corrupted in transit`);
  }
  return { contents, version: response.name ?? name };
}
