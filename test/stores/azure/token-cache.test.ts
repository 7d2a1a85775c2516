// The shared token of one identity: one request for concurrent callers, reuse until shortly before expiry, a fresh one for a claims challenge, a bound on hung requests.
import test from 'ava';
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import { AuthError, UnavailableError } from '../../../src/errors/courier-error.ts';
import { CachedTokenCredential } from '../../../src/stores/azure/token-cache.ts';

/** A credential that counts requests and answers after `delayMs` with tokens valid for `lifetimeMs`. */
function countingCredential(clock: { now: number }, options: { lifetimeMs?: number; delayMs?: number; fail?: boolean; hang?: boolean } = {}) {
  const calls: GetTokenOptions[] = [];
  const credential: TokenCredential = {
    getToken(_scopes, getOptions) {
      calls.push(getOptions ?? {});
      if (options.hang) return new Promise<AccessToken>(() => undefined);
      return new Promise((resolve, reject) =>
        setTimeout(() => (options.fail ? reject(new Error('AADSTS90002: Tenant not found.')) : resolve({ token: `t${calls.length}`, expiresOnTimestamp: clock.now + (options.lifetimeMs ?? 3_600_000) })), options.delayMs ?? 5),
      );
    },
  };
  return { credential, calls };
}

function cached(inner: TokenCredential, clock: { now: number }, timeoutMs = 1_000) {
  const outcomes: string[] = [];
  const credential = new CachedTokenCredential(inner, { timeoutMs, now: () => clock.now, onRequest: (outcome) => outcomes.push(outcome === 'ok' ? 'ok' : outcome.constructor.name), toError: (error) => new AuthError(`mapped: ${(error as Error).message}`) });
  return { credential, outcomes };
}

test('gives concurrent callers one request and reuses the token until five minutes before it expires', async (t) => {
  const clock = { now: 1_000_000 };
  const { credential: inner, calls } = countingCredential(clock);
  const { credential, outcomes } = cached(inner, clock);
  const tokens = await Promise.all(Array.from({ length: 20 }, () => credential.getToken('https://vault.azure.net/.default', { tenantId: 'tid', enableCae: true })));
  t.deepEqual(new Set(tokens.map((token) => token.token)), new Set(['t1']));
  clock.now += 54 * 60_000;
  t.is((await credential.getToken('https://vault.azure.net/.default', { tenantId: 'tid', enableCae: true })).token, 't1');
  clock.now += 2 * 60_000;
  t.is((await credential.getToken('https://vault.azure.net/.default', { tenantId: 'tid', enableCae: true })).token, 't2');
  t.is(calls.length, 2);
  t.deepEqual(outcomes, ['ok', 'ok']);
});

test('keeps tokens apart by scope and tenant, and asks anew for a claims challenge', async (t) => {
  const clock = { now: 0 };
  const { credential: inner, calls } = countingCredential(clock);
  const { credential } = cached(inner, clock);
  await credential.getToken('https://vault.azure.net/.default', { tenantId: 'a' });
  await credential.getToken('https://vault.azure.net/.default', { tenantId: 'b' });
  await credential.getToken('https://vault.azure.cn/.default', { tenantId: 'a' });
  await credential.getToken('https://vault.azure.net/.default', { tenantId: 'a', claims: '{"access_token":{"nbf":{"essential":true}}}' });
  t.is(calls.length, 4);
  t.is(calls[3]?.claims, '{"access_token":{"nbf":{"essential":true}}}');
});

test('maps a failed request for every waiting caller and tries again on the next call', async (t) => {
  const clock = { now: 0 };
  const { credential: inner, calls } = countingCredential(clock, { fail: true });
  const { credential, outcomes } = cached(inner, clock);
  const errors = await Promise.all([1, 2, 3].map(() => credential.getToken('s').catch((error: unknown) => error)));
  t.true(errors.every((error) => error instanceof AuthError && error.message === 'mapped: AADSTS90002: Tenant not found.'));
  await credential.getToken('s').catch(() => undefined);
  t.is(calls.length, 2);
  t.deepEqual(outcomes, ['AuthError', 'AuthError']);
});

test('gives up on a hung request after the timeout, and does not pass a caller\'s abort on', async (t) => {
  const clock = { now: 0 };
  const { credential: inner, calls } = countingCredential(clock, { hang: true });
  const outcomes: string[] = [];
  const credential = new CachedTokenCredential(inner, { timeoutMs: 100, onRequest: (outcome) => outcomes.push(outcome === 'ok' ? 'ok' : outcome.constructor.name), toError: (error) => new UnavailableError((error as Error).message) });
  const caller = new AbortController();
  caller.abort();
  // AbortSignal.timeout's timer does not hold the process open; the server's sockets do in production.
  const keepAlive = setTimeout(() => undefined, 2_000);
  t.teardown(() => clearTimeout(keepAlive));
  await t.throwsAsync(credential.getToken('s', { abortSignal: caller.signal }), { message: 'the token request took longer than 0.1 s' });
  t.false(calls[0]?.abortSignal === caller.signal);
  t.deepEqual(outcomes, ['UnavailableError']);
});
