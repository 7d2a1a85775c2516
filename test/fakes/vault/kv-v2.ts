/** The KV version 2 secrets engine's HTTP paths: data/, metadata/, delete/, undelete/, destroy/, config. */
import type { FakeClock } from './clock.ts';
import type { EngineRequest, SecretsEngine } from './engine.ts';
import { errors, MESSAGES, noContent, ok, type VaultReply } from './envelope.ts';
import { listKeys } from './kv-v1.ts';
import { KvV2Store, trim, type KvPutOptions, type KvSecret, type KvVersion } from './kv-v2-store.ts';

const TYPE = 'kv';

/** A KV v2 mount: seed with `put`/`softDelete`/`destroy`, read back with `secret`. */
export class KvV2Engine extends KvV2Store implements SecretsEngine {
  readonly type = TYPE;
  readonly options = { version: '2' } as const;

  constructor(clock: FakeClock) {
    super(clock);
  }

  /** Seeds a version and returns its number (throws on a CAS mismatch). */
  override put(path: string, data: Record<string, unknown>, options: KvPutOptions = {}): number {
    const result = super.put(path, data, options);
    if (typeof result !== 'number') throw new Error(result.error);
    return result;
  }

  exists(path: string): boolean {
    const [prefix, rest] = split(path);
    return prefix === 'data' || prefix === 'metadata' ? this.secret(rest) !== undefined : true;
  }

  handle(request: EngineRequest): VaultReply {
    const [prefix, rest] = split(request.path);
    const op = request.operation;
    if (prefix === 'data' && rest !== '') {
      if (op === 'read') return this.#read(rest, request.query.get('version'));
      if (op === 'create' || op === 'update') return this.#write(rest, request.body);
      if (op === 'delete') {
        this.softDelete(rest);
        return noContent();
      }
    }
    if (prefix === 'metadata') {
      if (op === 'list') return listReply(listKeys(this.secrets.keys(), rest));
      const secret = this.secret(rest);
      if (op === 'read' && rest !== '') return secret ? ok({ data: this.keyMetadata(secret), mountType: TYPE }) : errors(404);
      if ((op === 'create' || op === 'update') && rest !== '') return this.#writeMetadata(rest, request.body);
      if (op === 'delete' && rest !== '') {
        this.erase(rest);
        return noContent();
      }
    }
    if ((prefix === 'delete' || prefix === 'undelete' || prefix === 'destroy') && rest !== '' && (op === 'create' || op === 'update')) {
      const versions = Array.isArray(request.body.versions) ? request.body.versions.map(Number) : [];
      if (versions.length === 0) return errors(400, 'no version number provided');
      if (prefix === 'delete') this.softDelete(rest, versions);
      else if (prefix === 'undelete') this.undelete(rest, versions);
      else this.destroy(rest, versions);
      return noContent();
    }
    if (prefix === 'config' && rest === '' && op === 'read') return ok({ data: { cas_required: this.casRequired, delete_version_after: '0s', max_versions: 0 }, mountType: TYPE });
    // Vault's answer to a KV v1-style path on a v2 mount: 404 with a warning and no errors.
    return ok({ warnings: [MESSAGES.kvV2WrongPath] }, 404);
  }

  #read(path: string, versionParam: string | null): VaultReply {
    const secret = this.secret(path);
    if (!secret) return errors(404);
    const version = versionParam === null || versionParam === '' || versionParam === '0' ? secret.currentVersion : Number(versionParam);
    const entry = secret.versions.get(version);
    if (!entry) return errors(404);
    const metadata = this.versionMetadata(secret, version);
    // Deleted and destroyed versions answer 404 with their metadata and null data, not an error list.
    if (entry.destroyed || this.isDeleted(entry)) return ok({ data: { data: null, metadata } }, 404);
    return ok({ data: { data: structuredClone(entry.data), metadata }, mountType: TYPE });
  }

  #write(path: string, body: Record<string, unknown>): VaultReply {
    const data = body.data;
    if (typeof data !== 'object' || data === null || Array.isArray(data)) return errors(400, 'no data provided');
    const options = (typeof body.options === 'object' && body.options !== null ? body.options : {}) as Record<string, unknown>;
    const cas = options.cas === undefined ? undefined : Number(options.cas);
    const result = super.put(path, data as Record<string, unknown>, cas === undefined ? {} : { cas });
    if (typeof result !== 'number') return errors(400, result.error);
    const secret = this.secret(path) as KvSecret;
    return ok({ data: this.versionMetadata(secret, result), mountType: TYPE });
  }

  #writeMetadata(path: string, body: Record<string, unknown>): VaultReply {
    const key = trim(path);
    const now = this.clock.now();
    // Metadata may be written before any version exists, as in Vault.
    const secret: KvSecret = this.secret(key) ?? { versions: new Map<number, KvVersion>(), currentVersion: 0, oldestVersion: 0, createdMs: now, updatedMs: now, customMetadata: null, maxVersions: 0, casRequired: false };
    this.secrets.set(key, secret);
    if (typeof body.max_versions === 'number') secret.maxVersions = body.max_versions;
    if (typeof body.cas_required === 'boolean') secret.casRequired = body.cas_required;
    if (typeof body.custom_metadata === 'object' && body.custom_metadata !== null) secret.customMetadata = { ...(body.custom_metadata as Record<string, string>) };
    return noContent();
  }
}

/** `data/app/db` → ['data', 'app/db']. */
function split(path: string): [string, string] {
  const clean = path.replace(/^\/+/, '');
  const slash = clean.indexOf('/');
  return slash < 0 ? [clean, ''] : [clean.slice(0, slash), clean.slice(slash + 1)];
}

function listReply(keys: string[]): VaultReply {
  return keys.length === 0 ? errors(404) : ok({ data: { keys }, mountType: TYPE });
}
