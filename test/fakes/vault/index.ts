/**
 * A protocol-level fake of the HashiCorp Vault / OpenBao HTTP API on 127.0.0.1, for tests and benchmarks.
 *
 *   const vault = await useFakeVault(t);                          // stopped in t.teardown
 *   vault.kvV2('secret').put('app/db', { password: 'pw' });        // version 1
 *   const issuer = new JwtIssuer();
 *   vault.enableKubernetesAuth({ publicKeys: [issuer.publicKeyPem], roles: { app: {...} } });
 *   vault.writePolicy('app', 'path "secret/data/app/*" { capabilities = ["read"] }');
 *   ... vault.counters.logins('app'), vault.counters.reads('secret/data/app/db'), vault.stats()
 *   vault.inject({ path: 'secret/data/*', fault: { kind: 'rate-limit' }, times: 2 });
 *
 * See docs/testing.md ("The Vault fake") for every endpoint and option.
 */
import type { ExecutionContext } from 'ava';
import { FakeClock } from './clock.ts';
import { VaultCounters } from './counters.ts';
import { FaultInjector, type FaultHandle, type FaultRule } from './faults.ts';
import type { VaultState } from './handler.ts';
import { LeaseRegistry, type Lease } from './leases.ts';
import { VaultNamespace } from './namespace.ts';
import { listen, type Listener, type ServerTls } from './server.ts';
import { TokenStore, type TokenSpec } from './tokens.ts';
import { createCertificateAuthority, issueCertificate, type CertificateAuthority, type IssuedCertificate } from './x509.ts';

export { JwtIssuer, type PodTokenClaims } from './signer.ts';
export { trustingTokenReview, type KubernetesAuthConfig, type KubernetesRole } from './auth-kubernetes.ts';
export type { JwtAuthConfig, JwtRole } from './auth-jwt.ts';
export type { DatabaseRole } from './database.ts';
export type { PkiRole } from './pki.ts';
export type { Fault, FaultHandle, FaultRule } from './faults.ts';
export type { RecordedRequest } from './counters.ts';
export { MESSAGES } from './envelope.ts';
export { VaultNamespace } from './namespace.ts';

/** How to start the fake. */
export interface FakeVaultOptions {
  /** Serve HTTPS with a certificate for 127.0.0.1 signed by a fresh CA; optionally require a client certificate from it. */
  readonly tls?: boolean | { readonly requireClientCertificate?: boolean };
  /** Delay before every answer, in milliseconds. */
  readonly latencyMs?: number;
}

/** Counts for assertions and benchmark figures. */
export interface VaultStats {
  readonly requests: number;
  readonly logins: number;
  readonly reads: number;
  readonly tokens: { readonly issued: number; readonly renewed: number; readonly revoked: number; readonly expired: number; readonly active: number };
  readonly leases: { readonly issued: number; readonly renewed: number; readonly revoked: number; readonly expired: number; readonly active: number };
}

/** TLS material of an HTTPS fake. */
export interface FakeVaultTls {
  /** The CA that signed the server certificate (and client certificates). */
  readonly caPem: string;
  /** A client certificate signed by the fake's CA. */
  issueClientCertificate(commonName?: string): IssuedCertificate;
}

/** A running fake Vault. The methods that seed (mountKv, kvV2, ...) act on the root namespace; `namespace()` reaches others. */
export class FakeVault {
  readonly url: string;
  /** A root token: every capability, never expires. */
  readonly rootToken: string;
  readonly clock: FakeClock;
  readonly counters: VaultCounters;
  readonly root: VaultNamespace;
  readonly tls: FakeVaultTls | undefined;
  /** Delay before every answer, in milliseconds; may be changed at any time. */
  latencyMs: number;
  readonly #state: VaultState;
  readonly #faults: FaultInjector;
  readonly #listener: Listener;

  private constructor(parts: { state: VaultState; faults: FaultInjector; listener: Listener; rootToken: string; tls: FakeVaultTls | undefined; latencyMs: number }) {
    this.#state = parts.state;
    this.#faults = parts.faults;
    this.#listener = parts.listener;
    this.url = parts.listener.url;
    this.rootToken = parts.rootToken;
    this.clock = parts.state.clock;
    this.counters = parts.state.counters;
    this.root = parts.state.root;
    this.tls = parts.tls;
    this.latencyMs = parts.latencyMs;
  }

  /** Starts a fake on 127.0.0.1 with a free port; call close() when done. */
  static async start(options: FakeVaultOptions = {}): Promise<FakeVault> {
    const clock = new FakeClock();
    const leases = new LeaseRegistry(clock);
    const tokens = new TokenStore(clock, (token) => leases.revokeOwnedBy(token.id));
    const state: VaultState = { root: new VaultNamespace({ clock, leases }, ''), clock, tokens, leases, counters: new VaultCounters(), sealed: false };
    const faults = new FaultInjector();
    const rootToken = tokens.issue({ namespace: '', policies: [], root: true }).id;
    tokens.counts.issued = 0;
    let tls: FakeVaultTls | undefined;
    let serverTls: ServerTls | undefined;
    if (options.tls) {
      const ca: CertificateAuthority = createCertificateAuthority('Courier fake Vault CA');
      const server = issueCertificate(ca, { commonName: 'localhost', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], ttlSeconds: 86_400, usage: 'server' });
      const requireClient = typeof options.tls === 'object' && options.tls.requireClientCertificate === true;
      serverTls = { certificatePem: server.certificatePem, privateKeyPem: server.privateKeyPem, ...(requireClient ? { clientCaPem: ca.certificatePem } : {}) };
      tls = { caPem: ca.certificatePem, issueClientCertificate: (commonName = 'courier') => issueCertificate(ca, { commonName, ttlSeconds: 86_400, usage: 'client' }) };
    }
    // The listener reads the latency per request from the fake it serves, which exists once it listens.
    const holder: { vault?: FakeVault } = {};
    const listener = await listen({ state, faults, latencyMs: () => holder.vault?.latencyMs ?? 0 }, serverTls);
    holder.vault = new FakeVault({ state, faults, listener, rootToken, tls, latencyMs: options.latencyMs ?? 0 });
    return holder.vault;
  }

  /** The namespace at `path` (`team-a`, `team-a/child`), created when missing. */
  namespace(path: string): VaultNamespace {
    return this.root.namespace(path);
  }

  /** The KV v2 mount at `path` of the root namespace (mounted now if absent). */
  kvV2(path = 'secret'): ReturnType<VaultNamespace['kvV2']> {
    return this.root.kvV2(path);
  }

  /** The KV v1 mount at `path` of the root namespace (mounted now if absent). */
  kvV1(path = 'kv'): ReturnType<VaultNamespace['kvV1']> {
    return this.root.kvV1(path);
  }

  /** The database mount at `path` of the root namespace, with extra roles. */
  database(...args: Parameters<VaultNamespace['database']>): ReturnType<VaultNamespace['database']> {
    return this.root.database(...args);
  }

  /** The PKI mount at `path` of the root namespace, with extra roles. */
  pki(...args: Parameters<VaultNamespace['pki']>): ReturnType<VaultNamespace['pki']> {
    return this.root.pki(...args);
  }

  /** Enables Kubernetes auth in the root namespace. */
  enableKubernetesAuth(...args: Parameters<VaultNamespace['enableKubernetesAuth']>): ReturnType<VaultNamespace['enableKubernetesAuth']> {
    return this.root.enableKubernetesAuth(...args);
  }

  /** Enables JWT auth in the root namespace. */
  enableJwtAuth(...args: Parameters<VaultNamespace['enableJwtAuth']>): ReturnType<VaultNamespace['enableJwtAuth']> {
    return this.root.enableJwtAuth(...args);
  }

  /** Writes an ACL policy in the root namespace. */
  writePolicy(...args: Parameters<VaultNamespace['writePolicy']>): void {
    this.root.writePolicy(...args);
  }

  /** Issues a token directly (as `auth/token/create` would) and returns its id. */
  createToken(spec: Partial<TokenSpec> & { readonly policies: readonly string[] }): string {
    const namespace = spec.namespace ?? '';
    return this.#state.tokens.issue({ ...spec, namespace }, namespace === '' ? '' : this.namespace(namespace).id).id;
  }

  /** Every request answers 503 "Vault is sealed" (sys/health too) until unseal(). */
  seal(): void {
    this.#state.sealed = true;
  }

  unseal(): void {
    this.#state.sealed = false;
  }

  /** Injects a fault (first matching rule wins); see FaultRule. */
  inject(rule: FaultRule): FaultHandle {
    return this.#faults.add(rule);
  }

  /** Removes every injected fault. */
  clearFaults(): void {
    this.#faults.clear();
  }

  /** Every lease issued so far, with its state. */
  leases(): readonly Lease[] {
    return this.#state.leases.all();
  }

  /** A snapshot of the counts. */
  stats(): VaultStats {
    const { tokens, leases, counters } = this.#state;
    return {
      requests: counters.requests.length,
      logins: counters.logins(),
      reads: counters.reads(),
      tokens: { ...tokens.counts, active: tokens.active() },
      leases: { ...leases.counts, active: leases.active() },
    };
  }

  /** Stops listening and drops every connection (hung requests included). */
  close(): Promise<void> {
    return this.#listener.close();
  }
}

/** Starts a fake that is closed when the test ends. */
export async function useFakeVault(t: ExecutionContext, options: FakeVaultOptions = {}): Promise<FakeVault> {
  const vault = await FakeVault.start(options);
  t.teardown(() => vault.close());
  return vault;
}

/** Starts a fake outside a test (benchmarks, e2e `before` hooks); call close() when done. */
export function startFakeVault(options: FakeVaultOptions = {}): Promise<FakeVault> {
  return FakeVault.start(options);
}
