/** When and how long to wait before asking a throttled or unavailable store again. */
import type { FetchResult } from '../stores/backend.ts';
import { ThrottledError, UnavailableError, type CourierError } from '../errors/courier-error.ts';

/** Limits of the retries of one request. */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  /** Ceiling of the first retry's delay; it doubles with every retry up to maxDelayMs. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** No retry is started that would begin later than this after the first attempt. */
  readonly budgetMs: number;
}

/**
 * Six attempts over at most 30 s: room for a store's short throttling bursts (a few hundred ms to a
 * few s, or its Retry-After), and still far below kubelet's two-minute mount budget.
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({ maxAttempts: 6, baseDelayMs: 200, maxDelayMs: 10_000, budgetMs: 30_000 });

/** Why a result is worth retrying, as a bounded metric label; undefined when it is not. */
export type RetryReason = 'throttled' | 'unavailable';

/** Backends decide what is retryable by the error class they return. */
export function retryReason(result: FetchResult): RetryReason | undefined {
  if (result.ok) return undefined;
  if (result.error instanceof ThrottledError) return 'throttled';
  if (result.error instanceof UnavailableError) return 'unavailable';
  return undefined;
}

/**
 * Delay before retry number `retry` (1 = the first retry): "equal jitter" over an exponential
 * ceiling (half fixed, half random, so concurrent retries spread out but never fire at once),
 * and never shorter than the store's Retry-After.
 */
export function retryDelay(policy: RetryPolicy, retry: number, retryAfterMs: number | undefined, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  const jittered = ceiling / 2 + random() * (ceiling / 2);
  return Math.max(retryAfterMs ?? 0, jittered);
}

/** The error a request ends with once its retries are used up: RESOURCE_EXHAUSTED or UNAVAILABLE, naming the store. */
export function exhaustedError(store: string, error: CourierError, attempts: number): CourierError {
  const field = error.field === undefined ? {} : { field: error.field };
  if (error instanceof ThrottledError) {
    return new ThrottledError(`store "${store}" kept throttling requests after ${attempts} attempts: ${error.detail}`, {
      ...field,
      cause: error,
      ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
    });
  }
  return new UnavailableError(`store "${store}" stayed unavailable after ${attempts} attempts: ${error.detail}`, { ...field, cause: error });
}
