/** The fake's request pipeline: seal state, login, token check, ACL, then sys, token or secrets-engine handlers. */
import { permits, tokenValidIn } from './acl.ts';
import type { FakeClock } from './clock.ts';
import type { VaultCounters } from './counters.ts';
import type { Operation } from './engine.ts';
import { errors, MESSAGES, ok, type VaultReply } from './envelope.ts';
import type { LeaseRegistry } from './leases.ts';
import type { VaultNamespace } from './namespace.ts';
import type { VaultRequest } from './request.ts';
import { handleSys, healthReply } from './sys.ts';
import { handleTokenPath } from './token-endpoints.ts';
import type { TokenEntry, TokenStore } from './tokens.ts';

/** Everything one fake Vault holds. */
export interface VaultState {
  readonly root: VaultNamespace;
  readonly clock: FakeClock;
  readonly tokens: TokenStore;
  readonly leases: LeaseRegistry;
  readonly counters: VaultCounters;
  sealed: boolean;
}

/** An authenticated request with its namespace resolved, handed to the sys and token handlers. */
export interface AuthorizedRequest {
  readonly operation: Operation;
  readonly namespace: VaultNamespace;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body: Record<string, unknown>;
  readonly token: TokenEntry;
}

/** Answers one request; `accessor` is the token's, when it was valid. */
export async function handleVaultRequest(state: VaultState, request: VaultRequest): Promise<{ reply: VaultReply; accessor?: string }> {
  const { namespace, operation, path } = request;
  if (path === 'sys/health' || path === 'sys/seal-status') return { reply: healthReply(state, path) };
  if (state.sealed) return { reply: errors(503, MESSAGES.sealed) };
  if (!namespace) return { reply: errors(404, MESSAGES.noRoute(request.path)) };
  if (operation === undefined) return { reply: errors(405) };
  if (typeof request.body.parseError === 'string') return { reply: errors(400, request.body.parseError) };
  const body = request.body as Record<string, unknown>;
  const login = /^auth\/(.+)\/login$/.exec(path);
  if (login && (operation === 'update' || operation === 'create')) return { reply: await handleLogin(state, namespace, login[1] ?? '', body) };
  if (request.token === '') return { reply: errors(403, MESSAGES.permissionDenied) };
  state.tokens.sweep();
  state.leases.sweep();
  const token = state.tokens.lookup(request.token);
  if (!token || !tokenValidIn(token, namespace)) return { reply: errors(403, MESSAGES.invalidToken) };
  const authorized: AuthorizedRequest = { operation, namespace, path, query: request.query, body, token };
  const reply = path.startsWith('sys/') ? handleSys(state, authorized) : path.startsWith('auth/token/') ? handleTokenPath(state, authorized) : handleEngine(state, authorized);
  return { reply, accessor: token.accessor };
}

async function handleLogin(state: VaultState, namespace: VaultNamespace, mount: string, body: Record<string, unknown>): Promise<VaultReply> {
  const method = namespace.auths.get(mount);
  if (!method) return errors(403, MESSAGES.permissionDenied);
  const outcome = await method.login({ body, namespace, mount });
  state.counters.recordLogin(namespace.path, mount, outcome.role, 'token' in outcome);
  if (!('token' in outcome)) return outcome.reply;
  const entry = state.tokens.issue({ ...outcome.token, namespace: namespace.path }, namespace.id);
  return ok({ auth: state.tokens.authBlock(entry) });
}

function handleEngine(state: VaultState, request: AuthorizedRequest): VaultReply {
  const { namespace, path, token } = request;
  const routed = namespace.route(path);
  let capability = request.operation;
  if (routed && capability === 'update' && routed.mount.engine.exists?.(routed.rest) === false) capability = 'create';
  if (!permits(state.root, token, namespace, path, capability)) return errors(403, MESSAGES.policyDenied);
  if (!routed) return errors(404, MESSAGES.noRoute(path));
  return routed.mount.engine.handle({
    operation: capability,
    path: routed.rest,
    query: request.query,
    body: request.body,
    token,
    namespace,
    mount: routed.mount.path.slice(0, -1),
  });
}
