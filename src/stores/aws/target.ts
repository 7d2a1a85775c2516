/** What both AWS stores share: resolving a request's settings and identity, and primary-then-failover fetching. */
import { CourierError, ThrottledError, UnavailableError } from '../../errors/courier-error.ts';
import type { AwsIdentity, AwsIdentityResolver } from './identity.ts';
import type { FetchContext, FetchRequest, FetchResult } from '../backend.ts';
import type { AwsClientFactory } from './clients.ts';
import { isTransient } from './errors.ts';
import { readAwsSettings, toFailoverRequest, type AwsSettings, type AwsSource } from './settings.ts';

/** Long-lived parts an AWS store is built with. */
export interface AwsStoreOptions {
  readonly identities: AwsIdentityResolver;
  readonly clients: AwsClientFactory;
  /** Region for objects that name none (--aws-region, else AWS_REGION). */
  readonly defaultRegion?: string;
}

/** A request's settings and identity. */
export interface AwsTarget {
  readonly settings: AwsSettings;
  readonly identity: AwsIdentity;
}

/** Resolves settings and identity; throws ConfigError or AuthError. */
export async function resolveTarget(store: AwsSource, request: FetchRequest, context: FetchContext, options: AwsStoreOptions): Promise<AwsTarget> {
  const settings = readAwsSettings(request, options.defaultRegion);
  const identity = await options.identities.resolve({ usePodIdentity: settings.usePodIdentity, preferredAddressType: settings.preferredAddressType, store }, context.pod, context.tokens, context.signal);
  return { settings, identity };
}

/** The identity key: who asks, and where (requests of one fetch share both regions). */
export function targetKey(target: AwsTarget): string {
  return [target.identity.key, target.settings.region, target.settings.failoverRegion ?? ''].join('|');
}

/** Fetches a batch in one region; may throw a CourierError that fails the whole batch. */
export type RegionFetch = (region: string, requests: readonly FetchRequest[]) => Promise<FetchResult[]>;

/**
 * Fetches in the primary region, then asks the failover region (for the entry's failoverObject,
 * if it has one) only for what failed transiently: throttling, 5xx or network. A 4xx such as
 * AccessDenied or ResourceNotFound is final and not hidden by the failover.
 */
export async function fetchWithFailover(requests: readonly FetchRequest[], settings: AwsSettings, fetchIn: RegionFetch): Promise<FetchResult[]> {
  const primary = await settle(requests, () => fetchIn(settings.region, requests));
  const failoverRegion = settings.failoverRegion;
  if (failoverRegion === undefined) return primary;
  const retry = primary.flatMap((result, index) => (!result.ok && isTransient(result.error) ? [index] : []));
  if (retry.length === 0) return primary;
  const second = await settle(retry, () => fetchIn(failoverRegion, retry.map((index) => toFailoverRequest(requests[index] as FetchRequest))));
  const merged = [...primary];
  retry.forEach((index, position) => {
    const answer = second[position] as FetchResult;
    const first = primary[index] as FetchResult;
    merged[index] = answer.ok || first.ok ? answer : { ok: false, error: combine(first.error, answer.error, failoverRegion) };
  });
  return merged;
}

async function settle(requests: readonly unknown[], run: () => Promise<FetchResult[]>): Promise<FetchResult[]> {
  try {
    return await run();
  } catch (error) {
    if (!(error instanceof CourierError)) throw error;
    return requests.map(() => ({ ok: false, error }));
  }
}

/**
 * Both regions failed: a final failover error wins (it is the one to fix); otherwise both are told,
 * keeping the class so the retry layer still sees a throttled or unavailable result.
 */
function combine(primary: CourierError, failover: CourierError, region: string): CourierError {
  if (!isTransient(failover)) return failover;
  const detail = `${primary.detail}; the failover region ${region} failed too: ${failover.detail}`;
  if (primary instanceof ThrottledError) return new ThrottledError(detail, { cause: primary, ...(primary.retryAfterMs === undefined ? {} : { retryAfterMs: primary.retryAfterMs }) });
  return new UnavailableError(detail, { cause: primary });
}
