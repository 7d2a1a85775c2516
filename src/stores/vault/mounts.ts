/** Which secrets engine serves a path (sys/internal/ui/mounts, as the Vault CLI asks), cached per identity and mount. */
import { ExpiringMemo } from '../../identity/expiring-memo.ts';
import { mountPrefix, mountSegments } from './locator.ts';

/** A mount as sys/internal/ui/mounts describes it. */
export interface MountInfo {
  /** `secret/` (relative to the namespace Vault resolved). */
  readonly path: string;
  /** `kv`, `database`, `pki`, ... (`generic` is the old name of kv). */
  readonly type: string;
  /** 1 or 2 for KV mounts; undefined for other engines. */
  readonly kvVersion: 1 | 2 | undefined;
}

/** A mount found for a locator: the engine and how many of the locator's segments name it. */
export interface LocatedMount extends MountInfo {
  readonly segments: number;
}

/** What the lookup learnt: the mount, or that Vault would not say (403 on the preflight, 404 from an old server). */
export type MountAnswer = MountInfo | 'unknown';

/** How long what Vault said about a mount is believed: engines and KV versions change only when remounted. */
const MOUNT_TTL_MS = 5 * 60_000;
const MAX_ENTRIES = 10_000;

/** Reads the mount info from a preflight answer's `data`, as the Vault CLI does. */
export function mountInfoOf(data: unknown): MountInfo | undefined {
  const record = data as { path?: unknown; type?: unknown; options?: { version?: unknown } | null } | undefined;
  if (typeof record?.path !== 'string' || typeof record.type !== 'string') return undefined;
  const kv = record.type === 'kv' || record.type === 'generic';
  const version = record.options?.version;
  return { path: record.path, type: record.type, kvVersion: kv ? (version === '2' ? 2 : 1) : undefined };
}

/**
 * The cache. Entries are keyed by identity and the locator prefix the mount covers (`secret/`), so
 * one lookup serves every path under that mount. Lookups of paths that start with the same segment
 * go one after the other: ten secrets of one mount cost one preflight, not ten.
 */
export class MountCache {
  readonly #memo: ExpiringMemo<LocatedMount>;
  readonly #lanes = new Map<string, Promise<unknown>>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#memo = new ExpiringMemo(MAX_ENTRIES, now);
    this.#now = now;
  }

  /** The mount serving `locator` for `identity`; `lookup` asks Vault. Undefined when Vault would not say. */
  async find(identity: string, locator: string, lookup: () => Promise<MountAnswer>): Promise<LocatedMount | undefined> {
    const known = this.#known(identity, locator);
    if (known) return known;
    const lane = JSON.stringify([identity, locator.split('/')[0]]);
    const earlier = this.#lanes.get(lane);
    if (earlier) {
      await earlier.catch(() => undefined);
      const now = this.#known(identity, locator);
      if (now) return now;
    }
    const asking = this.#ask(identity, locator, lookup);
    this.#lanes.set(lane, asking);
    try {
      return await asking;
    } finally {
      if (this.#lanes.get(lane) === asking) this.#lanes.delete(lane);
    }
  }

  async #ask(identity: string, locator: string, lookup: () => Promise<MountAnswer>): Promise<LocatedMount | undefined> {
    const answer = await lookup();
    if (answer === 'unknown') return undefined;
    const segments = mountSegments(locator, answer.path);
    if (segments === undefined) return undefined;
    const located: LocatedMount = { ...answer, segments };
    const key = JSON.stringify([identity, mountPrefix(locator, segments)]);
    return this.#memo.get(key, () => Promise.resolve({ value: located, until: this.#now() + MOUNT_TTL_MS }));
  }

  #known(identity: string, locator: string): LocatedMount | undefined {
    const segments = locator.split('/');
    for (let length = 1; length < segments.length; length += 1) {
      const found = this.#memo.cached(JSON.stringify([identity, `${segments.slice(0, length).join('/')}/`]));
      if (found) return found;
    }
    return undefined;
  }
}
