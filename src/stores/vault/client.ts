/** The four Vault calls the store makes: login, renew-self, the mount preflight and a secret read; each bounded and mapped to typed errors. */
import { AuthError } from '../../errors/courier-error.ts';
import type { AgentPool } from './agents.ts';
import { isInvalidToken, loginError, readError, transportFailure, type VaultSubject } from './errors.ts';
import { sendVaultCall, type VaultCall, type VaultReply } from './http.ts';
import { mountInfoOf, type MountAnswer } from './mounts.ts';
import { parseEnvelope, type VaultResponse } from './response.ts';
import type { VaultMethod, VaultTarget } from './settings.ts';
import type { AuthGrant, HeldToken } from './tokens.ts';

/** One read: the API path, method, query and body, as the request planned them. */
export interface ReadCall {
  readonly path: string;
  readonly method: VaultMethod;
  readonly query: string;
  readonly body: unknown;
}

/** Who makes a call, for messages: the target and the pod's namespace and service account. */
export interface Caller {
  readonly target: VaultTarget;
  readonly account: string;
}

/** Longest one Vault call may take: well inside a Mount's deadline, so a hung Vault fails in time to say why. */
export const DEFAULT_CALL_TIMEOUT_MS = 10_000;
const MOUNTS = 'sys/internal/ui/mounts/';

/** Makes Vault calls over the agent pool. */
export class VaultClient {
  readonly #agents: AgentPool;
  readonly #timeoutMs: number;

  constructor(agents: AgentPool, timeoutMs: number = DEFAULT_CALL_TIMEOUT_MS) {
    this.#agents = agents;
    this.#timeoutMs = timeoutMs;
  }

  /** `POST auth/<mount>/login {role, jwt}` with the pod's own token (Kubernetes and JWT auth alike). */
  async login(caller: Caller, jwt: string, signal: AbortSignal): Promise<AuthGrant> {
    const { target } = caller;
    const subject = subjectOf(caller, `login at auth/${target.authMount}`);
    const reply = await this.#send(caller, { method: 'POST', path: `auth/${target.authMount}/login`, body: { role: target.role, jwt } }, subject, signal);
    if (reply.status !== 200) throw loginError(reply, subject, target.field('role'));
    return grantOf(reply, subject);
  }

  /** `PUT auth/token/renew-self`: the token's TTL starts again, up to its max TTL. */
  async renew(caller: Caller, token: HeldToken, signal: AbortSignal): Promise<AuthGrant> {
    const subject = subjectOf(caller, 'token renewal');
    const reply = await this.#send(caller, { method: 'PUT', path: 'auth/token/renew-self', body: {}, token: token.id }, subject, signal);
    if (reply.status !== 200) throw readError(reply, subject, 'auth/token/renew-self', 'update');
    return grantOf(reply, subject);
  }

  /**
   * `GET sys/internal/ui/mounts/<path>`: the engine and KV version of the mount serving `path`.
   * 'unknown' when Vault will not say (403: the token has no rule on that mount; 404: an old server).
   */
  async preflight(caller: Caller, token: HeldToken, path: string, signal: AbortSignal): Promise<MountAnswer> {
    const subject = subjectOf(caller, `mount lookup of "${path}"`);
    const reply = await this.#send(caller, { method: 'GET', path: `${MOUNTS}${path}`, token: token.id }, subject, signal);
    if (isInvalidToken(reply)) throw readError(reply, subject, `${MOUNTS}${path}`, 'read');
    if (reply.status === 403 || reply.status === 404) return 'unknown';
    if (reply.status !== 200) throw readError(reply, subject, `${MOUNTS}${path}`, 'read');
    return mountInfoOf(parseEnvelope(reply.body)?.data) ?? 'unknown';
  }

  /** A secret read (or write-to-issue); resolves with the envelope of a 2xx answer. */
  async read(caller: Caller, token: HeldToken, call: ReadCall, signal: AbortSignal): Promise<VaultResponse> {
    const subject = subjectOf(caller, describeRead(call));
    const body = call.method === 'GET' ? undefined : call.body ?? {};
    const reply = await this.#send(caller, { method: call.method, path: call.path, query: call.query, body, token: token.id }, subject, signal);
    if (reply.status < 200 || reply.status >= 300) throw readError(reply, subject, call.path, call.method === 'GET' ? 'read' : 'update');
    const response = reply.status === 204 ? undefined : parseEnvelope(reply.body);
    if (response === undefined) return { requestId: '', leaseId: '', leaseDurationS: 0, renewable: false, data: null, warnings: null, auth: null, wrapInfo: null, mountType: '' };
    return response;
  }

  async #send(caller: Caller, call: Pick<VaultCall, 'method' | 'path' | 'query' | 'body' | 'token'>, subject: VaultSubject, signal: AbortSignal): Promise<VaultReply> {
    const { target } = caller;
    try {
      const agent = await this.#agents.agentFor(target.address, target.tls);
      return await sendVaultCall({ ...call, address: target.address, namespace: target.namespace, agent, timeoutMs: this.#timeoutMs, signal });
    } catch (error) {
      throw transportFailure(error, subject);
    }
  }
}

/** `read of "secret/data/app/db"`, `PUT of "pki/issue/web"`. */
export function describeRead(call: Pick<ReadCall, 'method' | 'path' | 'query'>): string {
  const where = `"${call.path}${call.query === '' ? '' : `?${call.query}`}"`;
  return call.method === 'GET' ? `read of ${where}` : `${call.method} of ${where}`;
}

function subjectOf({ target, account }: Caller, what: string): VaultSubject {
  return {
    what,
    who: `role "${target.role}" (auth/${target.authMount}) for ${account}`,
    where: `${target.address}${target.namespace === '' ? '' : ` (namespace ${target.namespace})`}`,
  };
}

function grantOf(reply: VaultReply, subject: VaultSubject): AuthGrant {
  const auth = (reply.body as { auth?: { client_token?: unknown; accessor?: unknown; lease_duration?: unknown; renewable?: unknown } | null } | undefined)?.auth;
  if (typeof auth?.client_token !== 'string' || auth.client_token === '') throw new AuthError(`Vault's answer to the ${subject.what} of ${subject.who} carried no token`);
  return {
    clientToken: auth.client_token,
    accessor: typeof auth.accessor === 'string' ? auth.accessor : '',
    leaseDurationS: typeof auth.lease_duration === 'number' ? auth.lease_duration : 0,
    renewable: auth.renewable === true,
  };
}

