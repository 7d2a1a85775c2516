/** The sys/ paths the fake serves: the KV preflight (internal/ui/mounts), leases, ACL policies and health. */
import { mayUseMount, permits } from './acl.ts';
import { parseDurationSeconds } from './duration.ts';
import { errors, MESSAGES, noContent, ok, type VaultReply } from './envelope.ts';
import type { AuthorizedRequest, VaultState } from './handler.ts';

const MOUNTS = 'sys/internal/ui/mounts/';

/** sys/health and sys/seal-status (unauthenticated): 200 when unsealed, 503 when sealed. */
export function healthReply(state: VaultState, path: string): VaultReply {
  const common = { initialized: true, sealed: state.sealed, version: '1.21.0' };
  if (path === 'sys/seal-status') return { status: 200, body: { type: 'shamir', ...common, t: 1, n: 1, progress: 0, nonce: '', cluster_name: 'courier-fake', cluster_id: 'courier-fake' } };
  return { status: state.sealed ? 503 : 200, body: { ...common, standby: false, performance_standby: false, server_time_utc: state.clock.nowSeconds(), cluster_name: 'courier-fake', cluster_id: 'courier-fake' } };
}

/** Routes a sys/ request. */
export function handleSys(state: VaultState, request: AuthorizedRequest): VaultReply {
  const { path } = request;
  if (path.startsWith(MOUNTS) && request.operation === 'read') return preflight(state, request, path.slice(MOUNTS.length));
  const lease = /^sys\/(?:leases\/)?(renew|revoke|lookup)(?:\/(.+))?$/.exec(path);
  if (lease) return leaseOperation(state, request, lease[1] ?? '', lease[2]);
  const policy = /^sys\/(?:policies\/acl|policy)\/([^/]+)$/.exec(path);
  if (policy) return policyOperation(state, request, policy[1] ?? '');
  if (!permits(state.root, request.token, request.namespace, path, request.operation)) return errors(403, MESSAGES.policyDenied);
  return errors(404, MESSAGES.noRoute(path));
}

/** What the Vault CLI asks before a `kv` command: the mount serving a path, its type and KV version. */
function preflight(state: VaultState, request: AuthorizedRequest, target: string): VaultReply {
  const path = `${target.replace(/^\/+|\/+$/g, '')}/`;
  const denied = errors(403, MESSAGES.preflight(path));
  const routed = request.namespace.route(path);
  // A missing mount answers the same 403, so the endpoint cannot be used to list mounts.
  if (!routed || !mayUseMount(state.root, request.token, request.namespace, routed.mount.path)) return denied;
  const { mount } = routed;
  const data = {
    accessor: mount.accessor,
    config: { default_lease_ttl: 0, force_no_cache: false, max_lease_ttl: 0 },
    description: '',
    external_entropy_access: false,
    local: false,
    options: mount.engine.options,
    path: mount.path,
    plugin_version: '',
    running_plugin_version: '',
    running_sha256: '',
    seal_wrap: false,
    type: mount.engine.type,
    uuid: mount.uuid,
  };
  return ok({ data, mountType: 'system' });
}

function leaseOperation(state: VaultState, request: AuthorizedRequest, action: string, idInPath: string | undefined): VaultReply {
  const basePath = request.path.startsWith('sys/leases/') ? `sys/leases/${action}` : `sys/${action}`;
  if (request.operation !== 'update' || !permits(state.root, request.token, request.namespace, basePath, 'update')) return errors(403, MESSAGES.policyDenied);
  const leaseId = idInPath ?? (typeof request.body.lease_id === 'string' ? request.body.lease_id : '');
  if (leaseId === '') return errors(400, 'missing lease ID');
  const namespace = request.namespace.path;
  if (action === 'revoke') {
    state.leases.revoke(leaseId, namespace);
    return noContent();
  }
  if (action === 'lookup') {
    const lease = state.leases.all().find((entry) => entry.id === leaseId && entry.namespace === namespace && entry.state === 'active');
    if (!lease) return errors(400, 'invalid lease');
    const ttl = Math.max(0, Math.floor((lease.expiresAt - state.clock.now()) / 1000));
    const data = { id: lease.id, issue_time: state.clock.timestamp(lease.issuedAt), expire_time: state.clock.timestamp(lease.expiresAt), last_renewal: null, renewable: lease.renewable, ttl };
    return ok({ data, mountType: 'system' });
  }
  const increment = parseDurationSeconds(request.body.increment ?? 0);
  if (increment === undefined) return errors(400, 'invalid increment');
  const renewed = state.leases.renew(leaseId, namespace, increment);
  if ('error' in renewed) return errors(400, renewed.error);
  return ok({ leaseId: renewed.lease.id, renewable: renewed.lease.renewable, leaseDuration: renewed.lease.ttl, warnings: renewed.warnings, mountType: 'system' });
}

function policyOperation(state: VaultState, request: AuthorizedRequest, name: string): VaultReply {
  const capability = request.operation === 'update' ? (request.namespace.policies.has(name) ? 'update' : 'create') : request.operation;
  if (!permits(state.root, request.token, request.namespace, request.path, capability)) return errors(403, MESSAGES.policyDenied);
  if (capability === 'create' || capability === 'update') {
    const text = request.body.policy ?? request.body.rules;
    if (typeof text !== 'string') return errors(400, "'policy' parameter not supplied or empty");
    request.namespace.writePolicy(name, text);
    return noContent();
  }
  if (capability === 'delete') {
    request.namespace.policies.delete(name);
    return noContent();
  }
  return errors(405);
}
