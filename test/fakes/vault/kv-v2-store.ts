/** KV version 2 storage: versions with created/deletion times, soft delete, destroy, max_versions, custom metadata. */
import type { FakeClock } from './clock.ts';

/** One version of a secret. */
export interface KvVersion {
  data: Record<string, unknown> | null;
  readonly createdMs: number;
  /** When it was (or will be) soft-deleted; undefined while live. */
  deletionMs: number | undefined;
  destroyed: boolean;
}

/** A secret's key metadata and its versions. */
export interface KvSecret {
  readonly versions: Map<number, KvVersion>;
  currentVersion: number;
  /** 0 until max_versions evicts a version, then the oldest one kept. */
  oldestVersion: number;
  readonly createdMs: number;
  updatedMs: number;
  customMetadata: Record<string, string> | null;
  maxVersions: number;
  casRequired: boolean;
}

/** Options of a write (seeding or `data/` PUT). */
export interface KvPutOptions {
  /** Check-and-set: the write succeeds only if this is the current version (0: only if absent). */
  readonly cas?: number;
  readonly customMetadata?: Record<string, string>;
}

/** Vault keeps 10 versions unless told otherwise. */
const DEFAULT_MAX_VERSIONS = 10;

/** The versioned map behind one KV v2 mount. */
export class KvV2Store {
  readonly secrets = new Map<string, KvSecret>();
  protected readonly clock: FakeClock;
  /** Mount-wide `cas_required`. */
  casRequired = false;

  constructor(clock: FakeClock) {
    this.clock = clock;
  }

  /** Adds a version; returns its number, or the CAS error text Vault answers with. */
  put(path: string, data: Record<string, unknown>, options: KvPutOptions = {}): number | { error: string } {
    const key = trim(path);
    const now = this.clock.now();
    const existing = this.secrets.get(key);
    if (options.cas !== undefined && options.cas !== (existing?.currentVersion ?? 0)) return { error: 'check-and-set parameter did not match the current version' };
    if (options.cas === undefined && (this.casRequired || existing?.casRequired)) return { error: 'check-and-set parameter required for this call' };
    const secret: KvSecret = existing ?? { versions: new Map<number, KvVersion>(), currentVersion: 0, oldestVersion: 0, createdMs: now, updatedMs: now, customMetadata: null, maxVersions: 0, casRequired: false };
    secret.currentVersion += 1;
    secret.updatedMs = now;
    if (options.customMetadata) secret.customMetadata = { ...options.customMetadata };
    secret.versions.set(secret.currentVersion, { data: structuredClone(data), createdMs: now, deletionMs: undefined, destroyed: false });
    const keep = secret.maxVersions || DEFAULT_MAX_VERSIONS;
    for (const version of [...secret.versions.keys()].sort((a, b) => a - b)) {
      if (secret.versions.size <= keep) break;
      secret.versions.delete(version);
      secret.oldestVersion = version + 1;
    }
    this.secrets.set(key, secret);
    return secret.currentVersion;
  }

  /** The secret at `path`, if it has metadata. */
  secret(path: string): KvSecret | undefined {
    return this.secrets.get(trim(path));
  }

  /** Soft-deletes versions (the latest when none given); they read as 404 with metadata until undeleted. */
  softDelete(path: string, versions?: readonly number[]): void {
    const secret = this.secret(path);
    if (!secret) return;
    for (const version of versions ?? [secret.currentVersion]) {
      const entry = secret.versions.get(version);
      if (entry && entry.deletionMs === undefined && !entry.destroyed) entry.deletionMs = this.clock.now();
    }
  }

  /** Restores soft-deleted versions; a destroyed one stays destroyed (silently, as in Vault). */
  undelete(path: string, versions: readonly number[]): void {
    for (const version of versions) {
      const entry = this.secret(path)?.versions.get(version);
      if (entry && !entry.destroyed) entry.deletionMs = undefined;
    }
  }

  /** Removes the data of versions for good; their metadata stays with `destroyed: true`. */
  destroy(path: string, versions: readonly number[]): void {
    for (const version of versions) {
      const entry = this.secret(path)?.versions.get(version);
      if (entry) {
        entry.destroyed = true;
        entry.data = null;
      }
    }
  }

  /** Deletes the metadata and every version; the next write starts again at version 1. */
  erase(path: string): void {
    this.secrets.delete(trim(path));
  }

  /** Whether a version counts as deleted now. */
  isDeleted(entry: KvVersion): boolean {
    return entry.deletionMs !== undefined && entry.deletionMs <= this.clock.now();
  }

  /** A version's metadata as reads and writes report it. */
  versionMetadata(secret: KvSecret, version: number): Record<string, unknown> {
    const entry = secret.versions.get(version);
    return {
      created_time: this.clock.timestamp(entry?.createdMs),
      custom_metadata: secret.customMetadata,
      deletion_time: entry?.deletionMs === undefined ? '' : this.clock.timestamp(entry.deletionMs),
      destroyed: entry?.destroyed ?? false,
      version,
    };
  }

  /** The `metadata/` read of a secret. */
  keyMetadata(secret: KvSecret): Record<string, unknown> {
    const versions: Record<string, unknown> = {};
    for (const [number, entry] of secret.versions) {
      versions[String(number)] = {
        created_time: this.clock.timestamp(entry.createdMs),
        deletion_time: entry.deletionMs === undefined ? '' : this.clock.timestamp(entry.deletionMs),
        destroyed: entry.destroyed,
      };
    }
    return {
      cas_required: secret.casRequired,
      created_time: this.clock.timestamp(secret.createdMs),
      current_version: secret.currentVersion,
      custom_metadata: secret.customMetadata,
      delete_version_after: '0s',
      max_versions: secret.maxVersions,
      oldest_version: secret.oldestVersion,
      updated_time: this.clock.timestamp(secret.updatedMs),
      versions,
    };
  }
}

/** A path without leading or trailing slashes. */
export function trim(path: string): string {
  return path.replace(/^\/+|\/+$/g, '');
}
