/** The `azure-kv` store: Azure Key Vault secrets, keys and certificates, read with the identity each pod brings. */
import { CourierError } from '../../errors/courier-error.ts';
import { codeName } from '../../errors/to-grpc-status.ts';
import type { Backend, FetchContext, FetchRequest, FetchResult } from '../backend.ts';
import { resolveIdentity, type AzureIdentity, type AzureIdentityOptions } from './identity.ts';
import { RejectedTokenError, toKeyVaultError, type CallSubject } from './key-vault-errors.ts';
import type { AzureMetrics } from './metrics.ts';
import { OBJECT_KINDS, type ObjectReference } from './names.ts';
import { checkValidity, contentsOf } from './object-content.ts';
import { listVersions, readObject, type CallOptions, type ObjectRead, type VersionEntry } from './reads.ts';
import type { AzureSession, AzureSessions } from './session.ts';
import { readSettings, readTarget, type AzureTarget } from './settings.ts';
import { pickVersion } from './version-history.ts';

/** What the store is built with. */
export interface AzureStoreParts {
  readonly identity: AzureIdentityOptions;
  readonly sessions: AzureSessions;
  readonly metrics: AzureMetrics;
  /** Longest one Key Vault call may take, well below a Mount's deadline. */
  readonly timeoutMs: number;
  readonly now?: () => number;
  /** Closes pooled connections (the routing agent). */
  readonly release?: () => void;
}

/** Reads shared by the requests of one batch: the same version is read once, the same history listed once. */
interface BatchMemo {
  readonly reads: Map<string, Promise<ObjectRead>>;
  readonly lists: Map<string, Promise<VersionEntry[]>>;
}

/**
 * Key Vault has no batch read: a batch is read with parallel calls after one identity resolution,
 * over the identity's long-lived clients (one token, one challenge per client).
 */
export class AzureKeyVaultStore implements Backend {
  readonly store = 'azure-kv';
  readonly maxBatchSize = 20;
  readonly #parts: AzureStoreParts;

  constructor(parts: AzureStoreParts) {
    this.#parts = parts;
  }

  async identityKey(request: FetchRequest, context: FetchContext): Promise<string> {
    readTarget(request);
    return (await this.#resolve(request, context)).key;
  }

  async fetch(requests: readonly FetchRequest[], context: FetchContext): Promise<FetchResult[]> {
    const first = requests[0];
    if (first === undefined) return [];
    const identity = await this.#resolve(first, context);
    const results = await this.#readAll(await this.#parts.sessions.for(identity), requests, context.signal);
    const refused = results.flatMap((result, index) => (!result.ok && result.error instanceof RejectedTokenError ? [index] : []));
    if (refused.length === 0) return results;
    // Key Vault refused the identity's token (revoked, or expired early): new credential and clients, once.
    this.#parts.sessions.drop(identity);
    const again = await this.#readAll(await this.#parts.sessions.for(identity), refused.map((index) => requests[index] as FetchRequest), context.signal);
    refused.forEach((index, position) => (results[index] = again[position] as FetchResult));
    return results;
  }

  /** Closes pooled connections; the SDK clients hold nothing else. */
  close(): Promise<void> {
    this.#parts.release?.();
    return Promise.resolve();
  }

  #resolve(request: FetchRequest, context: FetchContext): Promise<AzureIdentity> {
    return resolveIdentity(readSettings(request), context, this.#parts.identity);
  }

  #readAll(session: AzureSession, requests: readonly FetchRequest[], signal: AbortSignal): Promise<FetchResult[]> {
    const memo: BatchMemo = { reads: new Map(), lists: new Map() };
    return Promise.all(requests.map((request) => this.#readOne(session, request, memo, signal)));
  }

  async #readOne(session: AzureSession, request: FetchRequest, memo: BatchMemo, signal: AbortSignal): Promise<FetchResult> {
    try {
      const target = readTarget(request);
      const vaultUrl = `https://${target.reference.vault}.${session.identity.cloud.vaultSuffix}`;
      const reference = await this.#versionOf(session, vaultUrl, target, memo, signal);
      const key = JSON.stringify([vaultUrl, reference.kind, reference.name, reference.version ?? '']);
      let read = memo.reads.get(key);
      if (read === undefined) {
        read = this.#call(session, vaultUrl, target, 'get', signal, (options) => readObject(session, vaultUrl, reference, options));
        memo.reads.set(key, read);
      }
      const object = await read;
      // Older versions of a history are history: only the current one must be within its validity.
      if ((target.versionIndex ?? 0) === 0) checkValidity(object, target.what, (this.#parts.now ?? Date.now)());
      return { ok: true, contents: contentsOf(object, target), version: object.version };
    } catch (error) {
      if (error instanceof CourierError) return { ok: false, error };
      throw error;
    }
  }

  /** The reference to read: as asked, or with the version `versionIndex` points at (one list per object and batch). */
  async #versionOf(session: AzureSession, vaultUrl: string, target: AzureTarget, memo: BatchMemo, signal: AbortSignal): Promise<ObjectReference> {
    const { reference } = target;
    if (target.versionIndex === undefined) return reference;
    const key = JSON.stringify([vaultUrl, reference.kind, reference.name]);
    let list = memo.lists.get(key);
    if (list === undefined) {
      list = this.#call(session, vaultUrl, target, 'list', signal, (options) => listVersions(session, vaultUrl, reference.kind, reference.name, options));
      memo.lists.set(key, list);
    }
    return { ...reference, version: pickVersion(await list, reference.version, target.versionIndex, target.what) };
  }

  /** One SDK call, bounded by the call timeout and the Mount's signal, counted, its failure mapped. */
  async #call<T>(session: AzureSession, vaultUrl: string, target: AzureTarget, operation: 'get' | 'list', signal: AbortSignal, run: (options: CallOptions) => Promise<T>): Promise<T> {
    const { timeoutMs, metrics } = this.#parts;
    const labels = { object_type: OBJECT_KINDS[target.reference.kind], operation };
    try {
      const value = await session.throughClient(`${target.reference.kind} ${vaultUrl}`, () => run({ abortSignal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]), requestOptions: { timeout: timeoutMs } }));
      metrics.keyVaultRequests.inc({ ...labels, outcome: 'ok' });
      return value;
    } catch (error) {
      const subject: CallSubject = { what: target.what, vault: target.reference.vault, host: new URL(vaultUrl).host, kind: target.reference.kind, operation, who: session.identity.who, deadlinePassed: signal.aborted };
      const mapped = toKeyVaultError(error, subject);
      metrics.keyVaultRequests.inc({ ...labels, outcome: codeName(mapped.grpcCode).toLowerCase() });
      throw mapped;
    }
  }
}
