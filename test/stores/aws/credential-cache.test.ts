import test from 'ava';
import { AwsCredentialCache, REFRESH_MARGIN_MS } from '../../../src/stores/aws/credential-cache.ts';

const HOUR = 3_600_000;

function clock() {
  let now = 1_000_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

function counter(expiresIn: number | undefined, time: { now: () => number }) {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    exchange: () => {
      calls += 1;
      return Promise.resolve({ accessKeyId: `AKID${calls}`, secretAccessKey: 's', ...(expiresIn === undefined ? {} : { expiration: new Date(time.now() + expiresIn) }) });
    },
  };
}

test('reuses credentials until the refresh margin before expiry', async (t) => {
  const time = clock();
  const cache = new AwsCredentialCache(time.now);
  const source = counter(HOUR, time);
  await cache.get('k', source.exchange);
  time.advance(HOUR - REFRESH_MARGIN_MS - 1);
  t.is((await cache.get('k', source.exchange)).accessKeyId, 'AKID1');
  time.advance(1);
  t.is((await cache.get('k', source.exchange)).accessKeyId, 'AKID2');
});

test('refreshes short-lived credentials at half their lifetime', async (t) => {
  const time = clock();
  const cache = new AwsCredentialCache(time.now);
  const source = counter(60_000, time);
  await cache.get('k', source.exchange);
  time.advance(29_999);
  await cache.get('k', source.exchange);
  time.advance(1);
  await cache.get('k', source.exchange);
  t.is(source.calls, 2);
});

test('runs one exchange for concurrent callers of a key', async (t) => {
  const time = clock();
  const cache = new AwsCredentialCache(time.now);
  const source = counter(HOUR, time);
  const results = await Promise.all([cache.get('k', source.exchange), cache.get('k', source.exchange), cache.get('other', source.exchange)]);
  t.deepEqual(results.map((result) => result.accessKeyId), ['AKID1', 'AKID1', 'AKID2']);
});

test('does not keep credentials without an expiry', async (t) => {
  const time = clock();
  const cache = new AwsCredentialCache(time.now);
  const source = counter(undefined, time);
  await cache.get('k', source.exchange);
  await cache.get('k', source.exchange);
  t.is(source.calls, 2);
  t.is(cache.size, 0);
});
