/** One Secret Manager client per endpoint, created on first use and shared by every Mount. */
import { credentials } from '@grpc/grpc-js';
import { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import { splitHostPort } from './locator.ts';

/** A Secret Manager answer, as the client library decodes it. */
export interface AccessResponse {
  readonly name?: string | null;
  readonly payload?: { readonly data?: Uint8Array | string | null; readonly dataCrc32c?: number | string | { toString(): string } | null } | null;
}

/** The one call the store uses; the seam unit tests replace. */
export interface SecretAccessClient {
  /** AccessSecretVersion with the pod's bearer token as call metadata; no library retries. */
  access(name: string, bearerToken: string, signal: AbortSignal): Promise<AccessResponse>;
  close(): Promise<void>;
}

/** Longest one Secret Manager call may take. */
const CALL_TIMEOUT_MS = 10_000;

/** Builds the client for one endpoint. */
export type SecretAccessClientFactory = (endpoint: string) => SecretAccessClient;

/**
 * The real client: gRPC over TLS (plaintext only when the administrator asked for it, for tests)
 * with no credentials of its own. Every call carries `authorization: Bearer <token>` of the pod
 * whose Mount it serves, so one channel serves every identity and the library never falls back to
 * Courier's own credentials. Retries are off: the fetch layer retries within the Mount's deadline.
 */
export function createSecretAccessClient(endpoint: string, plaintext: boolean): SecretAccessClient {
  const { host, port } = splitHostPort(endpoint);
  const client = new SecretManagerServiceClient({
    apiEndpoint: host,
    port,
    sslCreds: plaintext ? credentials.createInsecure() : credentials.createSsl(),
    // Named so the library never asks for application default credentials to learn it.
    universeDomain: 'googleapis.com',
  });
  return {
    async access(name, bearerToken, signal) {
      const [response] = await client.accessSecretVersion(
        { name },
        // Each call is bounded well below a Mount's deadline, and the Mount's signal cancels it sooner.
        { retry: null, timeout: CALL_TIMEOUT_MS, signal, otherArgs: { headers: { authorization: `Bearer ${bearerToken}` } } },
      );
      return response;
    },
    close: () => client.close(),
  };
}

/** Clients by endpoint. Creation is synchronous, so concurrent Mounts never build two for one endpoint. */
export class SecretAccessClients {
  readonly #factory: SecretAccessClientFactory;
  readonly #clients = new Map<string, SecretAccessClient>();

  constructor(factory: SecretAccessClientFactory) {
    this.#factory = factory;
  }

  for(endpoint: string): SecretAccessClient {
    let client = this.#clients.get(endpoint);
    if (!client) {
      client = this.#factory(endpoint);
      this.#clients.set(endpoint, client);
    }
    return client;
  }

  async close(): Promise<void> {
    const clients = [...this.#clients.values()];
    this.#clients.clear();
    await Promise.all(clients.map((client) => client.close()));
  }
}
