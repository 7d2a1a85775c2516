/** A Vault namespace: its secrets mounts, auth mounts, policies and child namespaces, plus the seeding API for them. */
import { randomBase62, uuid } from './clock.ts';
import { DatabaseEngine, type DatabaseRole } from './database.ts';
import type { AuthMethod, NamespaceRef, SecretsEngine, VaultCore } from './engine.ts';
import { JwtAuth, type JwtAuthConfig } from './auth-jwt.ts';
import { KubernetesAuth, type KubernetesAuthConfig } from './auth-kubernetes.ts';
import { KvV1Engine } from './kv-v1.ts';
import { KvV2Engine } from './kv-v2.ts';
import { PkiEngine, type PkiRole } from './pki.ts';
import { DEFAULT_POLICY, parsePolicy, type PolicyInput, type PolicyRule } from './policy.ts';

/** A mounted secrets engine. */
export interface Mount {
  /** With its trailing slash: `secret/`. */
  readonly path: string;
  readonly engine: SecretsEngine;
  readonly accessor: string;
  readonly uuid: string;
}

/** One namespace (the root namespace has path ''). */
export class VaultNamespace implements NamespaceRef {
  readonly path: string;
  readonly id: string;
  readonly mounts = new Map<string, Mount>();
  readonly auths = new Map<string, AuthMethod>();
  readonly policies = new Map<string, PolicyRule[]>([['default', parsePolicy(DEFAULT_POLICY)]]);
  readonly children = new Map<string, VaultNamespace>();
  readonly #core: VaultCore;

  constructor(core: VaultCore, path: string) {
    this.#core = core;
    this.path = path;
    this.id = path === '' ? '' : randomBase62(5);
  }

  /** The child namespace at `path` (`team-a` or `team-a/child`), created when missing. */
  namespace(path: string): VaultNamespace {
    const [name, ...rest] = path.split('/').filter((part) => part !== '');
    if (name === undefined) return this;
    let child = this.children.get(name);
    if (!child) {
      child = new VaultNamespace(this.#core, this.path === '' ? name : `${this.path}/${name}`);
      this.children.set(name, child);
    }
    return child.namespace(rest.join('/'));
  }

  /** Mounts a KV engine (version 2 unless told otherwise) at `path`. */
  mountKv(path: string, version: 1 | 2 = 2): KvV1Engine | KvV2Engine {
    return this.#mount(path, version === 1 ? new KvV1Engine() : new KvV2Engine(this.#core.clock));
  }

  /** The KV v2 engine mounted at `path` (mounted now if absent). */
  kvV2(path = 'secret'): KvV2Engine {
    const engine = this.mounts.get(withSlash(path))?.engine ?? this.mountKv(path, 2);
    if (!(engine instanceof KvV2Engine)) throw new Error(`${path} is not a KV v2 mount`);
    return engine;
  }

  /** The KV v1 engine mounted at `path` (mounted now if absent). */
  kvV1(path = 'kv'): KvV1Engine {
    const engine = this.mounts.get(withSlash(path))?.engine ?? this.mountKv(path, 1);
    if (!(engine instanceof KvV1Engine)) throw new Error(`${path} is not a KV v1 mount`);
    return engine;
  }

  /** The database engine at `path` (mounted now if absent), with extra roles. */
  database(path = 'database', roles: Readonly<Record<string, DatabaseRole>> = {}): DatabaseEngine {
    const existing = this.mounts.get(withSlash(path))?.engine;
    const engine = existing ?? this.#mount(path, new DatabaseEngine(this.#core));
    if (!(engine instanceof DatabaseEngine)) throw new Error(`${path} is not a database mount`);
    for (const [name, role] of Object.entries(roles)) engine.role(name, role);
    return engine;
  }

  /** The PKI engine at `path` (mounted now, with a new CA, if absent), with extra roles. */
  pki(path = 'pki', roles: Readonly<Record<string, PkiRole>> = {}): PkiEngine {
    const existing = this.mounts.get(withSlash(path))?.engine;
    const engine = existing ?? this.#mount(path, new PkiEngine(this.#core, path));
    if (!(engine instanceof PkiEngine)) throw new Error(`${path} is not a PKI mount`);
    for (const [name, role] of Object.entries(roles)) engine.role(name, role);
    return engine;
  }

  /** Enables Kubernetes auth at `auth/<mount>` (default `kubernetes`). */
  enableKubernetesAuth(config: KubernetesAuthConfig, mount = 'kubernetes'): KubernetesAuth {
    const method = new KubernetesAuth(this.#core.clock, config);
    this.auths.set(mount, method);
    return method;
  }

  /** Enables JWT auth at `auth/<mount>` (default `jwt`). */
  enableJwtAuth(config: JwtAuthConfig, mount = 'jwt'): JwtAuth {
    const method = new JwtAuth(this.#core.clock, config);
    this.auths.set(mount, method);
    return method;
  }

  /** Writes an ACL policy (HCL, JSON or `{ path: capabilities }`). */
  writePolicy(name: string, policy: PolicyInput): void {
    this.policies.set(name, parsePolicy(policy));
  }

  /** The mount serving `path` (longest prefix), with the path below it. */
  route(path: string): { mount: Mount; rest: string } | undefined {
    let best: Mount | undefined;
    for (const mount of this.mounts.values()) {
      if ((path.startsWith(mount.path) || `${path}/` === mount.path) && (!best || mount.path.length > best.path.length)) best = mount;
    }
    return best ? { mount: best, rest: path.slice(Math.min(path.length, best.path.length)) } : undefined;
  }

  #mount<T extends SecretsEngine>(path: string, engine: T): T {
    const key = withSlash(path);
    if (this.mounts.has(key)) throw new Error(`path is already in use at ${key}`);
    this.mounts.set(key, { path: key, engine, accessor: `${engine.type}_${randomBase62(8).toLowerCase()}`, uuid: uuid() });
    return engine;
  }
}

function withSlash(path: string): string {
  const trimmed = path.replace(/^\/+|\/+$/g, '');
  return `${trimmed}/`;
}
