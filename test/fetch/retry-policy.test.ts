import test from 'ava';
import { ConfigError, ThrottledError, UnavailableError } from '../../src/errors/courier-error.ts';
import { DEFAULT_RETRY_POLICY, exhaustedError, retryDelay, retryReason } from '../../src/fetch/retry-policy.ts';

const policy = { maxAttempts: 6, baseDelayMs: 200, maxDelayMs: 1_000, budgetMs: 30_000 };

const delayIs = test.macro((t, retry: number, random: number, retryAfterMs: number | undefined, expected: number) => {
  t.is(retryDelay(policy, retry, retryAfterMs, () => random), expected);
});

test('the first retry waits between half and all of the base delay', delayIs, 1, 0, undefined, 100);
test('the first retry with full jitter waits the base delay', delayIs, 1, 1, undefined, 200);
test('the delay ceiling doubles with every retry', delayIs, 3, 0.5, undefined, 600);
test('the delay ceiling stops at maxDelayMs', delayIs, 8, 1, undefined, 1_000);
test('a Retry-After longer than the backoff is honoured exactly', delayIs, 1, 0.5, 5_000, 5_000);
test('a Retry-After shorter than the backoff does not shorten it', delayIs, 3, 0.5, 10, 600);

test('throttled and unavailable results are retryable; others are not', (t) => {
  t.is(retryReason({ ok: false, error: new ThrottledError('slow down') }), 'throttled');
  t.is(retryReason({ ok: false, error: new UnavailableError('503') }), 'unavailable');
  t.is(retryReason({ ok: false, error: new ConfigError('bad') }), undefined);
  t.is(retryReason({ ok: true, contents: new Uint8Array(), version: 'v1' }), undefined);
});

test('a store that keeps throttling ends in RESOURCE_EXHAUSTED naming the store', (t) => {
  const error = exhaustedError('aws-sm', new ThrottledError('Rate exceeded', { retryAfterMs: 2_000 }), 6);
  t.true(error instanceof ThrottledError);
  t.is(error.message, 'store "aws-sm" kept throttling requests after 6 attempts: Rate exceeded');
  t.is((error as ThrottledError).retryAfterMs, 2_000);
});

test('a store that stays unavailable ends in UNAVAILABLE naming the store', (t) => {
  const error = exhaustedError('gcp-sm', new UnavailableError('connection reset'), 3);
  t.true(error instanceof UnavailableError);
  t.is(error.message, 'store "gcp-sm" stayed unavailable after 3 attempts: connection reset');
});

test('the default policy retries within half of kubelet\'s mount budget', (t) => {
  t.true(DEFAULT_RETRY_POLICY.budgetMs <= 60_000);
  t.true(DEFAULT_RETRY_POLICY.maxAttempts > 1);
});
