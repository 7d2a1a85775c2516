/** The database secrets engine: `creds/<role>` mints a username and password under a renewable lease. */
import { randomBase62 } from './clock.ts';
import type { EngineRequest, SecretsEngine, VaultCore } from './engine.ts';
import { errors, ok, type VaultReply } from './envelope.ts';

/** A database role. */
export interface DatabaseRole {
  /** Lease TTL in seconds; default 3600. */
  readonly defaultTtl?: number;
  /** Lease max TTL in seconds; default 86400. */
  readonly maxTtl?: number;
}

/** One credential the engine minted. */
export interface IssuedCredential {
  readonly role: string;
  readonly username: string;
  readonly password: string;
  readonly leaseId: string;
}

/** A database mount with its roles; `credentials` lists every pair it minted. */
export class DatabaseEngine implements SecretsEngine {
  readonly type = 'database';
  readonly options = null;
  readonly roles = new Map<string, DatabaseRole>();
  readonly credentials: IssuedCredential[] = [];
  readonly #core: VaultCore;

  constructor(core: VaultCore, roles: Readonly<Record<string, DatabaseRole>> = {}) {
    this.#core = core;
    for (const [name, role] of Object.entries(roles)) this.roles.set(name, role);
  }

  /** Adds or replaces a role. */
  role(name: string, role: DatabaseRole = {}): this {
    this.roles.set(name, role);
    return this;
  }

  handle(request: EngineRequest): VaultReply {
    const match = /^creds\/([^/]+)$/.exec(request.path);
    if (!match || request.operation !== 'read') return errors(405);
    const name = match[1] ?? '';
    const role = this.roles.get(name);
    if (!role) return errors(400, `unknown role: ${name}`);
    const lease = this.#core.leases.issue({
      namespace: request.namespace.path,
      namespaceId: request.namespace.id,
      path: `${request.mount}/creds/${name}`,
      tokenId: request.token.id,
      ttl: role.defaultTtl ?? 3600,
      maxTtl: role.maxTtl ?? 86_400,
    });
    // The username template of Vault's database plugins: v-<display name>-<role>-<random>-<unix time>.
    const username = `v-${request.token.displayName.slice(0, 8)}-${name.slice(0, 8)}-${randomBase62(20)}-${this.#core.clock.nowSeconds()}`;
    const password = `${randomBase62(10)}-${randomBase62(9)}`;
    this.credentials.push({ role: name, username, password, leaseId: lease.id });
    return ok({ data: { password, username }, leaseId: lease.id, renewable: lease.renewable, leaseDuration: lease.ttl, mountType: this.type });
  }
}
