/** The KV version 1 secrets engine: one value per path, no versions, reads leased for the 768h refresh interval. */
import { parseDurationSeconds } from './duration.ts';
import type { EngineRequest, SecretsEngine } from './engine.ts';
import { errors, noContent, ok, type VaultReply } from './envelope.ts';
import { SYSTEM_TTL_SECONDS } from './tokens.ts';

/** Keys directly below `prefix` (folders end in `/`), sorted, as Vault's LIST answers. */
export function listKeys(paths: Iterable<string>, prefix: string): string[] {
  const base = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
  const keys = new Set<string>();
  for (const path of paths) {
    if (!path.startsWith(base)) continue;
    const rest = path.slice(base.length);
    const slash = rest.indexOf('/');
    keys.add(slash < 0 ? rest : rest.slice(0, slash + 1));
  }
  return [...keys].sort();
}

/** A KV v1 mount. Seed with `put`; the HTTP API reads, lists, writes and deletes the same map. */
export class KvV1Engine implements SecretsEngine {
  readonly type = 'kv';
  readonly options: Readonly<Record<string, string>> | null;
  readonly #secrets = new Map<string, Record<string, unknown>>();

  /** `options` as the mount reports them; `{ version: '1' }` unless the mount was made without any. */
  constructor(options: Readonly<Record<string, string>> | null = { version: '1' }) {
    this.options = options;
  }

  /** Writes (replaces) the value at `path`. */
  put(path: string, data: Record<string, unknown>): void {
    this.#secrets.set(trim(path), structuredClone(data));
  }

  /** The value at `path`, if any. */
  get(path: string): Record<string, unknown> | undefined {
    return this.#secrets.get(trim(path));
  }

  delete(path: string): void {
    this.#secrets.delete(trim(path));
  }

  exists(path: string): boolean {
    return this.#secrets.has(trim(path));
  }

  handle(request: EngineRequest): VaultReply {
    const path = trim(request.path);
    switch (request.operation) {
      case 'read': {
        const data = this.#secrets.get(path);
        if (!data) return errors(404);
        // A `ttl` key in the value sets the advisory lease; otherwise the system default, as Vault reports it.
        const leaseDuration = 'ttl' in data ? (parseDurationSeconds(data.ttl) ?? SYSTEM_TTL_SECONDS) : SYSTEM_TTL_SECONDS;
        return ok({ data: structuredClone(data), leaseDuration, mountType: this.type });
      }
      case 'list': {
        const keys = listKeys(this.#secrets.keys(), request.path);
        return keys.length === 0 ? errors(404) : ok({ data: { keys }, mountType: this.type });
      }
      case 'create':
      case 'update':
        this.#secrets.set(path, structuredClone(request.body));
        return noContent();
      case 'delete':
        this.#secrets.delete(path);
        return noContent();
      default:
        return errors(405);
    }
  }
}

function trim(path: string): string {
  return path.replace(/^\/+|\/+$/g, '');
}
