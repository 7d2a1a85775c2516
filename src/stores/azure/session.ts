/** The SDK objects of one identity — its credential and its Key Vault clients — built once and reused, so MSAL's cache and each client's challenge are paid once. */
import type { Agent } from 'node:https';
import { ClientAssertionCredential, ClientSecretCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import { CertificateClient } from '@azure/keyvault-certificates';
import { KeyClient } from '@azure/keyvault-keys';
import { SecretClient } from '@azure/keyvault-secrets';
import { ExpiringMemo } from '../../identity/expiring-memo.ts';
import type { PodToken } from '../../identity/pod-token.ts';
import type { ExchangeRecorder } from '../../observability/exchange-metrics.ts';
import { toEntraError } from './entra-errors.ts';
import type { AzureIdentity } from './identity.ts';
import type { AzureMetrics } from './metrics.ts';
import { CachedTokenCredential } from './token-cache.ts';

/** How sessions build their SDK objects. */
export interface SessionOptions {
  /** Routes and trusts connections (--azure-connect-to, --azure-ca-file); absent: the SDK's own HTTPS agent. */
  readonly agent?: Agent;
  /** --azure-authority-host: replaces the cloud's Entra ID host (and skips MSAL's instance discovery, which only knows Microsoft's hosts). */
  readonly authorityHost?: string;
  readonly tokenAudience: string;
  /** Longest one call (token request or Key Vault read) may take. */
  readonly timeoutMs: number;
  readonly metrics: AzureMetrics;
  /** Counts token requests in courier_token_exchanges_total. */
  readonly onExchange?: ExchangeRecorder;
  readonly now?: () => number;
}

/** The `kind` label of courier_token_exchanges_total per identity kind. */
const EXCHANGE_KIND: Readonly<Record<AzureIdentity['kind'], string>> = { workload: 'workload_identity', 'service-principal': 'client_secret', 'managed-identity': 'managed_identity' };

/** Sessions live at most this long; a new one costs one token request and one challenge per client. */
const SESSION_LIFETIME_MS = 6 * 3_600_000;
const MAX_SESSIONS = 2_000;

/** The credential and clients of one identity. */
export class AzureSession {
  readonly identity: AzureIdentity;
  readonly credential: TokenCredential;
  #assertion: PodToken | undefined;
  readonly #options: SessionOptions;
  readonly #clients = new Map<string, SecretClient | KeyClient | CertificateClient>();
  /** The first call of each client, while it runs; then the client is known to have learned its challenge. */
  readonly #firstCalls = new Map<string, Promise<void>>();
  readonly #warm = new Set<string>();

  constructor(identity: AzureIdentity, options: SessionOptions) {
    this.identity = identity;
    this.#options = options;
    if (identity.kind === 'workload') this.#assertion = identity.token;
    this.credential = new CachedTokenCredential(this.#credential(), {
      timeoutMs: options.timeoutMs,
      onRequest: (outcome) => {
        options.metrics.tokenRequests.inc({ identity: identity.kind, outcome: outcome === 'ok' ? 'ok' : 'error' });
        options.onExchange?.(EXCHANGE_KIND[identity.kind], outcome);
      },
      toError: (error) => toEntraError(error, identity, options.tokenAudience),
      ...(options.now === undefined ? {} : { now: options.now }),
    });
  }

  /**
   * Keeps the pod token that expires last as the client assertion: every pod of the identity
   * offers its own (already checked) token, and Entra ID is sent a current one when the access
   * token is renewed.
   */
  offer(token: PodToken): void {
    if (this.#assertion === undefined || token.expiresAt > this.#assertion.expiresAt) this.#assertion = token;
  }

  /**
   * Runs a call on the client `kind vaultUrl`. A new Key Vault client sends its first request
   * without a token to learn the vault's challenge; while that first call runs, later calls on the
   * same client wait for it (at most one call timeout), so a cold client is challenged once rather
   * than once per concurrent call.
   */
  async throughClient<T>(client: string, call: () => Promise<T>): Promise<T> {
    const running = this.#firstCalls.get(client);
    if (running === undefined && !this.#warm.has(client)) {
      const first = call();
      const settled = first.then(
        () => undefined,
        () => undefined,
      );
      this.#firstCalls.set(client, settled);
      void settled.then(() => {
        this.#firstCalls.delete(client);
        this.#warm.add(client);
      });
      return first;
    }
    if (running !== undefined) await running;
    return call();
  }

  secrets(vaultUrl: string): SecretClient {
    return this.#client(`secrets ${vaultUrl}`, () => new SecretClient(vaultUrl, this.credential, this.#clientOptions()));
  }

  keys(vaultUrl: string): KeyClient {
    return this.#client(`keys ${vaultUrl}`, () => new KeyClient(vaultUrl, this.credential, this.#clientOptions()));
  }

  certificates(vaultUrl: string): CertificateClient {
    return this.#client(`certificates ${vaultUrl}`, () => new CertificateClient(vaultUrl, this.credential, this.#clientOptions()));
  }

  #client<T extends SecretClient | KeyClient | CertificateClient>(key: string, create: () => T): T {
    let client = this.#clients.get(key) as T | undefined;
    if (client === undefined) {
      client = create();
      this.#clients.set(key, client);
    }
    return client;
  }

  /** The fetch layer retries within the Mount's deadline, so the SDK does not retry on its own. */
  #clientOptions() {
    return { retryOptions: { maxRetries: 0 }, ...(this.#options.agent === undefined ? {} : { agent: this.#options.agent }) };
  }

  #credential(): TokenCredential {
    const identity = this.identity;
    const common = this.#clientOptions();
    const authority = {
      authorityHost: this.#options.authorityHost ?? identity.cloud.authorityHost,
      ...(this.#options.authorityHost === undefined ? {} : { disableInstanceDiscovery: true }),
    };
    if (identity.kind === 'workload') {
      return new ClientAssertionCredential(identity.tenantId, identity.clientId, () => Promise.resolve(this.#assertion?.token ?? identity.token.token), { ...common, ...authority });
    }
    if (identity.kind === 'service-principal') return new ClientSecretCredential(identity.tenantId, identity.clientId, identity.clientSecret, { ...common, ...authority });
    return identity.clientId === undefined ? new ManagedIdentityCredential(common) : new ManagedIdentityCredential({ ...common, clientId: identity.clientId });
  }
}

/** Sessions by identity key. */
export class AzureSessions {
  readonly #options: SessionOptions;
  readonly #sessions: ExpiringMemo<AzureSession>;
  readonly #now: () => number;

  constructor(options: SessionOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#sessions = new ExpiringMemo(MAX_SESSIONS, this.#now);
  }

  /** The identity's session, built on first use; a workload identity's session takes the request's pod token. */
  async for(identity: AzureIdentity): Promise<AzureSession> {
    const session = await this.#sessions.get(identity.key, () => Promise.resolve({ value: new AzureSession(identity, this.#options), until: this.#now() + SESSION_LIFETIME_MS }));
    if (identity.kind === 'workload') session.offer(identity.token);
    return session;
  }

  /** Forgets an identity's session (Key Vault refused its token), so the next call builds a new credential and clients. */
  drop(identity: AzureIdentity): void {
    this.#sessions.delete(identity.key);
    this.#options.metrics.sessionRebuilds.inc({ identity: identity.kind });
  }
}
