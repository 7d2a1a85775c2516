/** The `vault` store: HashiCorp Vault and OpenBao, read with a Vault token the pod's own service-account token logged in for. */
import { CourierError, DeadlineError } from '../../errors/courier-error.ts';
import { checkedPodToken, type TokenVerifier } from '../../identity/token-verifier.ts';
import type { ContentVersion } from '../../output/content-version.ts';
import type { PodInfo } from '../../spc/types.ts';
import type { Backend, FetchContext, FetchRequest, FetchResult } from '../backend.ts';
import type { AgentPool } from './agents.ts';
import { describeRead, type Caller, type VaultClient } from './client.ts';
import { RejectedTokenError } from './errors.ts';
import type { VaultOptions } from './flags.ts';
import type { LeaseCache } from './leases.ts';
import type { MountCache } from './mounts.ts';
import type { VaultMetrics } from './metrics.ts';
import { basicsOf, callKey, planRequest, type RequestPlan } from './request-plan.ts';
import { shapeValue, type VaultResponse } from './response.ts';
import { resolveTarget, tlsKey, tokenIdentity } from './settings.ts';
import type { HeldToken, VaultTokens } from './tokens.ts';

/** What the store is built with (create.ts). */
export interface VaultStoreParts {
  readonly options: VaultOptions;
  readonly client: VaultClient;
  readonly agents: AgentPool;
  readonly tokens: VaultTokens;
  readonly mounts: MountCache;
  readonly leases: LeaseCache;
  readonly metrics: VaultMetrics;
  readonly tokenVerifier: TokenVerifier;
  readonly contentVersion: ContentVersion;
}

/** A pod's checked identity and the Vault token it may use. */
interface Session {
  readonly caller: Caller;
  /** The token cache key: address, namespace, auth mount, role, pod namespace and service account. */
  readonly identity: string;
  readonly token: HeldToken;
}

/** Shared calls (logins, lookups, a pod's lease) are not cancelled with the one Mount that started them; their own timeout bounds them. */
const DETACHED = new AbortController().signal;

/**
 * Vault has no batch read: a batch of up to 20 paths is read with parallel calls after one identity
 * resolution (pod token check, cached Vault token), which is what a batch saves.
 */
const BATCH_SIZE = 20;

/** HashiCorp Vault / OpenBao as a Courier store. */
export class VaultStore implements Backend {
  readonly store = 'vault';
  readonly maxBatchSize = BATCH_SIZE;
  readonly #parts: VaultStoreParts;

  constructor(parts: VaultStoreParts) {
    this.#parts = parts;
  }

  /**
   * The identity: the token identity, the TLS settings, and the pod itself for reads that are not
   * KV (their answers may be leased credentials, which are never shared between pods).
   */
  async identityKey(request: FetchRequest, context: FetchContext): Promise<string> {
    const session = await this.#session(request, context);
    const plan = await this.#retryingOnce(session, request, context, (fresh) => this.#plan(request, fresh, context.signal));
    return JSON.stringify([session.identity, tlsKey(session.caller.target.tls), plan.perPod ? podKey(context.pod) : '']);
  }

  async fetch(requests: readonly FetchRequest[], context: FetchContext): Promise<FetchResult[]> {
    const first = requests[0];
    if (first === undefined) return [];
    const session = await this.#session(first, context);
    const results = await this.#fetchAll(requests, session, context);
    const refused = results.flatMap((result, index) => (!result.ok && result.error instanceof RejectedTokenError ? [index] : []));
    if (refused.length === 0) return results;
    // Vault no longer accepts the cached token (revoked, expired early): log in again, once.
    this.#parts.tokens.forget(session.identity, session.token);
    const fresh = await this.#session(first, context);
    const again = await this.#fetchAll(refused.map((index) => requests[index] as FetchRequest), fresh, context);
    refused.forEach((index, position) => (results[index] = again[position] as FetchResult));
    return results;
  }

  async close(): Promise<void> {
    await this.#parts.agents.close();
  }

  /** Checks the request's target (before any token leaves) and the pod's token, then gets the Vault token. */
  async #session(request: FetchRequest, context: FetchContext): Promise<Session> {
    const target = resolveTarget(request, this.#parts.options);
    // Checked on every call, cached token or not: only a pod holding a token of this identity gets its Vault token.
    const podToken = await checkedPodToken(context.tokens, target.audience, context.pod, 'vault', this.#parts.tokenVerifier, context.signal);
    const caller: Caller = { target, account: `${podToken.namespace}/${podToken.serviceAccount}` };
    const identity = tokenIdentity(target, podToken.namespace, podToken.serviceAccount);
    const { client, tokens } = this.#parts;
    const token = await withSignal(
      tokens.get(identity, { login: () => client.login(caller, podToken.token, DETACHED), renew: (held) => client.renew(caller, held, DETACHED) }),
      context.signal,
      'a Vault login',
    );
    return { caller, identity, token };
  }

  /** Runs `work`; when Vault refuses the token as invalid, drops it, logs in again and runs it once more. */
  async #retryingOnce<T>(session: Session, request: FetchRequest, context: FetchContext, work: (session: Session) => Promise<T>): Promise<T> {
    try {
      return await work(session);
    } catch (error) {
      if (!(error instanceof RejectedTokenError)) throw error;
      this.#parts.tokens.forget(session.identity, session.token);
      return work(await this.#session(request, context));
    }
  }

  async #plan(request: FetchRequest, session: Session, signal: AbortSignal): Promise<RequestPlan> {
    const basics = basicsOf(request);
    if (basics.method !== 'GET') return planRequest(basics, undefined);
    const { mounts, client, metrics } = this.#parts;
    const lookup = async () => {
      try {
        const answer = await client.preflight(session.caller, session.token, basics.path, DETACHED);
        metrics.mountLookups.inc({ outcome: answer === 'unknown' ? 'unknown' : 'ok' });
        return answer;
      } catch (error) {
        metrics.mountLookups.inc({ outcome: 'failed' });
        throw error;
      }
    };
    return planRequest(basics, await withSignal(mounts.find(session.identity, basics.path, lookup), signal, 'a Vault mount lookup'));
  }

  /** Reads a batch: one Vault call per distinct (path, method, query, body), answers shaped per request. */
  async #fetchAll(requests: readonly FetchRequest[], session: Session, context: FetchContext): Promise<FetchResult[]> {
    const calls = new Map<string, Promise<VaultResponse>>();
    return Promise.all(
      requests.map(async (request): Promise<FetchResult> => {
        try {
          const plan = await this.#plan(request, session, context.signal);
          const key = callKey(plan.call);
          let response = calls.get(key);
          if (!response) {
            response = this.#read(plan, session, context);
            calls.set(key, response);
          }
          const shaped = shapeValue(await response, plan.shape, plan.kv2, describeRead(plan.call));
          return { ok: true, contents: shaped.contents, version: shaped.kvVersion ?? this.#parts.contentVersion(shaped.contents) };
        } catch (error) {
          if (error instanceof CourierError) return { ok: false, error };
          throw error;
        }
      }),
    );
  }

  #read(plan: RequestPlan, session: Session, context: FetchContext): Promise<VaultResponse> {
    const { client, leases } = this.#parts;
    if (!plan.perPod) return client.read(session.caller, session.token, plan.call, context.signal);
    // The pod's own answer: kept for it while its lease is good, never seen by another pod.
    const key = JSON.stringify([podKey(context.pod), session.identity, callKey(plan.call)]);
    return withSignal(
      leases.read(key, async () => ({ response: await client.read(session.caller, session.token, plan.call, DETACHED), token: session.token })),
      context.signal,
      `the ${describeRead(plan.call)}`,
    );
  }
}

/** The pod, as far as leases are concerned: its UID, with namespace and name for drivers that send none. */
function podKey(pod: PodInfo): string {
  return `${pod.namespace}/${pod.name}/${pod.uid}`;
}

/** `work`, or a DeadlineError as soon as the Mount's signal fires (the work itself goes on for others). */
function withSignal<T>(work: Promise<T>, signal: AbortSignal, what: string): Promise<T> {
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(new DeadlineError(`the Mount's deadline passed before ${what}`));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new DeadlineError(`the Mount's deadline passed during ${what}`));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
