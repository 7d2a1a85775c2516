/** ServiceAccountReader over the Kubernetes API: short-TTL cache and one in-flight lookup per ServiceAccount. */
import { AuthError, DeadlineError } from '../errors/courier-error.ts';
import { ExpiringMemo } from '../identity/expiring-memo.ts';
import { untilAborted } from '../fetch/until-aborted.ts';
import type { KubeClient } from './kube-client.ts';
import { kubePath } from './kube-http.ts';
import type { ObjectMeta } from './kube-objects.ts';
import { statusOf, toKubeError } from './kube-errors.ts';
import type { ServiceAccountReader } from './service-accounts.ts';

/** Tuning of the reader; defaults suit a node serving many pods. */
export interface ServiceAccountReaderOptions {
  /** How long annotations are reused (default 30 s): an annotation change is seen within this time. */
  readonly ttlMs?: number;
  /** Most ServiceAccounts remembered; the oldest entry goes first. */
  readonly maxEntries?: number;
  /** Clock in epoch milliseconds (tests). */
  readonly now?: () => number;
}

type Annotations = Readonly<Record<string, string>>;

export const DEFAULT_SERVICE_ACCOUNT_TTL_MS = 30_000;
const DEFAULT_MAX_ENTRIES = 2_000;

/**
 * Creates the reader identity code uses to learn which cloud identity a ServiceAccount names.
 * Mounts re-publish about once a minute per volume, so lookups are cached for a short time, and
 * concurrent Mounts of the same ServiceAccount share one API call. Failures are never cached.
 */
export function createServiceAccountReader(kube: KubeClient, options: ServiceAccountReaderOptions = {}): ServiceAccountReader {
  const ttlMs = options.ttlMs ?? DEFAULT_SERVICE_ACCOUNT_TTL_MS;
  const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  const now = options.now ?? Date.now;
  const memo = new ExpiringMemo<Annotations>(maxEntries, now);
  return {
    annotations(namespace, name, signal) {
      const key = `${namespace}/${name}`;
      const cached = memo.cached(key);
      if (cached) return Promise.resolve(cached);
      // The shared lookup runs on the client's own timeout, not one caller's signal: a caller that
      // gives up must not fail the others waiting on the same lookup.
      const lookup = memo.get(key, async () => ({ value: await readAnnotations(kube, namespace, name), until: now() + ttlMs }));
      if (!signal) return lookup;
      return untilAborted(lookup, signal, () => new DeadlineError(`the Mount's deadline passed while reading service account ${key}`));
    },
  };
}

async function readAnnotations(kube: KubeClient, namespace: string, name: string): Promise<Annotations> {
  try {
    const account = await kube.request<{ readonly metadata?: ObjectMeta }>({ method: 'GET', path: kubePath`/api/v1/namespaces/${namespace}/serviceaccounts/${name}` });
    return Object.freeze({ ...(account.metadata?.annotations ?? {}) });
  } catch (error) {
    if (statusOf(error) === 404) throw new AuthError(`service account ${namespace}/${name} does not exist`, { cause: error });
    throw toKubeError(error, { verb: 'get', resource: 'serviceaccounts', namespace, name });
  }
}
