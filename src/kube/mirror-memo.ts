/** Remembers what each mirror Secret held when courier last wrote or checked it, so a re-publish need not re-read it. */
import { createHash } from 'node:crypto';
import type { MirrorSecret } from './mirror-content.ts';

/** Last known state of mirror Secrets, by namespace and name. */
export interface MirrorMemo {
  /** True when `secret` is what courier last saw in the API, recently enough, with `podUid` among its owners. */
  isCurrent(namespace: string, secret: MirrorSecret, podUid: string): boolean;
  remember(namespace: string, secret: MirrorSecret, ownerUids: readonly string[]): void;
  forget(namespace: string, name: string): void;
}

/** How long a checked mirror is trusted without reading it again (default 5 minutes). */
export const DEFAULT_MIRROR_RECHECK_MS = 300_000;
const MAX_ENTRIES = 5_000;

interface Entry {
  readonly fingerprint: string;
  readonly owners: ReadonlySet<string>;
  readonly checkedAt: number;
}

/**
 * Kubelet re-publishes every volume about once a minute, and nearly always nothing changed. The memo
 * lets such a Mount skip the API entirely; anything new — other content, labels or a pod that is not
 * an owner yet — goes to the API at once. Only a digest of the data is kept, never the data. A Secret
 * changed or deleted by someone else is repaired within `recheckMs`.
 */
export function createMirrorMemo(recheckMs: number = DEFAULT_MIRROR_RECHECK_MS, now: () => number = Date.now): MirrorMemo {
  const entries = new Map<string, Entry>();
  return {
    isCurrent(namespace, secret, podUid) {
      const entry = entries.get(`${namespace}/${secret.name}`);
      if (!entry || now() - entry.checkedAt >= recheckMs) return false;
      return entry.fingerprint === fingerprint(secret) && (podUid === '' || entry.owners.has(podUid));
    },
    remember(namespace, secret, ownerUids) {
      const key = `${namespace}/${secret.name}`;
      entries.delete(key);
      entries.set(key, { fingerprint: fingerprint(secret), owners: new Set(ownerUids), checkedAt: now() });
      while (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value as string);
    },
    forget(namespace, name) {
      entries.delete(`${namespace}/${name}`);
    },
  };
}

function fingerprint(secret: MirrorSecret): string {
  const hash = createHash('sha256');
  const sorted = (record: Readonly<Record<string, unknown>>) => Object.keys(record).sort();
  hash.update(JSON.stringify([secret.type, sorted(secret.labels).map((key) => [key, secret.labels[key]]), sorted(secret.annotations).map((key) => [key, secret.annotations[key]])]));
  for (const key of sorted(secret.data)) {
    const value = secret.data[key] ?? Buffer.alloc(0);
    hash.update(`\0${key}\0${value.byteLength}\0`);
    hash.update(value);
  }
  return hash.digest('base64');
}
