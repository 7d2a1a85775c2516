import test from 'ava';
import { ValueCache } from '../../src/fetch/value-cache.ts';
import { fakeClock } from './fake-clock.ts';

const value = (text: string) => ({ contents: Buffer.from(text), version: 'v1' });
const text = (bytes: Uint8Array | undefined) => (bytes === undefined ? undefined : Buffer.from(bytes).toString('utf8'));

function cacheWith(ttlMs: number, maxBytes = 1024 * 1024) {
  const clock = fakeClock();
  const sizes: number[] = [];
  const cache = new ValueCache({ ttlMs, maxBytes, clock, onSize: (bytes) => sizes.push(bytes) });
  return { cache, clock, sizes };
}

test('a value is served until its TTL has passed, then dropped', async (t) => {
  const { cache, clock } = cacheWith(30_000);
  cache.set('k', 'scripted', value('one'));
  await clock.advance(29_999);
  t.is(text(cache.get('k')?.contents), 'one');
  await clock.advance(1);
  t.is(cache.get('k'), undefined);
  t.is(cache.size, 0);
  t.is(cache.bytes, 0);
});

test('values stored at different times expire each at its own time, also after one was stored again or dropped', async (t) => {
  const { cache, clock } = cacheWith(30_000);
  cache.set('a', 'scripted', value('a1'));
  await clock.advance(10_000);
  cache.set('b', 'scripted', value('b1'));
  await clock.advance(10_000);
  cache.set('a', 'scripted', value('a2'));
  cache.set('c', 'scripted', value('c1'));
  cache.dropStore('other');
  await clock.advance(10_000);
  t.is(text(cache.get('b')?.contents), 'b1', 'b is 20 s old');
  await clock.advance(10_000);
  t.is(cache.get('b'), undefined, 'b expired 30 s after it was stored');
  t.is(text(cache.get('a')?.contents), 'a2', 'a was stored again 20 s ago');
  await clock.advance(9_999);
  t.deepEqual([text(cache.get('a')?.contents), text(cache.get('c')?.contents)], ['a2', 'c1']);
  await clock.advance(1);
  t.deepEqual([cache.get('a'), cache.get('c'), cache.size], [undefined, undefined, 0]);
});

test('a TTL of 0 disables the cache', (t) => {
  const { cache } = cacheWith(0);
  cache.set('k', 'scripted', value('one'));
  t.false(cache.enabled);
  t.is(cache.get('k'), undefined);
});

test('the cache hands out copies, so a caller cannot change what it holds', (t) => {
  const { cache } = cacheWith(30_000);
  const original = Buffer.from('secret');
  cache.set('k', 'scripted', { contents: original, version: 'v1' });
  original.fill(0x78);
  const first = cache.get('k');
  first?.contents.fill(0x79);
  t.is(text(cache.get('k')?.contents), 'secret');
});

test('Mounts asking for a large value at once share one copy, never the cache\'s own, and it stays intact when the value is evicted', (t) => {
  const copies: Uint8Array[] = [];
  const cache = new ValueCache({ ttlMs: 30_000, maxBytes: 1024 * 1024, clock: fakeClock(), copy: (bytes) => copies[copies.push(new Uint8Array(bytes)) - 1] as Uint8Array });
  cache.set('large', 'scripted', { contents: Buffer.alloc(64 * 1024, 'L'), version: 'v1' });
  cache.set('small', 'scripted', { contents: Buffer.alloc(64 * 1024 - 1, 's'), version: 'v1' });
  const [own] = copies;
  const first = cache.get('large');
  const second = cache.get('large');
  t.is(first?.contents, second?.contents, 'one copy while it is held');
  t.not(first?.contents, own, 'not the cache\'s own copy');
  t.not(cache.get('small')?.contents, cache.get('small')?.contents, 'a small value is copied for every caller');
  cache.clear();
  t.true(own?.every((byte) => byte === 0));
  t.true(first?.contents.every((byte) => byte === 0x4c), 'the shared copy is untouched by the eviction');
});

test('over its byte budget the cache drops the oldest values first', (t) => {
  // Each entry costs 60 bytes + key + version + bookkeeping (about 194 bytes): three fit in 600.
  const { cache } = cacheWith(30_000, 600);
  for (const key of ['a', 'b', 'c', 'd']) cache.set(key, 'scripted', { contents: Buffer.alloc(60, key), version: 'v1' });
  t.is(cache.size, 3);
  t.is(cache.get('a'), undefined);
  t.is(text(cache.get('b')?.contents), 'b'.repeat(60));
  t.is(text(cache.get('d')?.contents), 'd'.repeat(60));
  t.true(cache.bytes <= 600);
});

test('the cache zeroes its own copy of a value it evicts, expires or drops', async (t) => {
  const copies: Uint8Array[] = [];
  const clock = fakeClock();
  const cache = new ValueCache({ ttlMs: 1_000, maxBytes: 400, clock, copy: (bytes) => copies[copies.push(new Uint8Array(bytes)) - 1] as Uint8Array });
  cache.set('evicted', 'scripted', value('first-secret'));
  cache.set('big', 'scripted', { contents: Buffer.alloc(250, 'b'), version: 'v1' });
  t.is(cache.get('evicted'), undefined);
  await clock.advance(1_000);
  cache.sweep();
  cache.set('dropped', 'file', value('third-secret'));
  cache.dropStore('file');
  t.is(copies.length, 3);
  for (const copy of copies) t.true(copy.every((byte) => byte === 0));
});

test('what a caller got from the cache stays intact after the value is evicted', (t) => {
  const { cache } = cacheWith(30_000, 400);
  cache.set('a', 'scripted', value('still-needed'));
  const served = cache.get('a');
  cache.set('b', 'scripted', { contents: Buffer.alloc(250, 'b'), version: 'v1' });
  t.is(cache.get('a'), undefined);
  t.is(text(served?.contents), 'still-needed');
});

test('a value larger than the whole budget is not kept', (t) => {
  const { cache } = cacheWith(30_000, 100);
  cache.set('k', 'scripted', { contents: Buffer.alloc(500), version: 'v1' });
  t.is(cache.size, 0);
  t.is(cache.bytes, 0);
});

test('dropStore drops only that store\'s values', (t) => {
  const { cache, sizes } = cacheWith(30_000);
  cache.set('f', 'file', value('file value'));
  cache.set('v', 'scripted', value('vault value'));
  cache.dropStore('file');
  t.is(cache.get('f'), undefined);
  t.is(text(cache.get('v')?.contents), 'vault value');
  t.is(sizes.at(-1), cache.bytes);
});

test('sweep drops expired values nobody asked for and reports the new size', async (t) => {
  const { cache, clock, sizes } = cacheWith(1_000);
  cache.set('a', 'scripted', value('a'));
  await clock.advance(500);
  cache.set('b', 'scripted', value('b'));
  await clock.advance(600);
  cache.sweep();
  t.is(cache.size, 1);
  t.is(sizes.at(-1), cache.bytes);
  t.true(cache.bytes > 0);
});

test('one identity fills the whole cache while alone, but once full it makes room from its own values, not the others\'', (t) => {
  // Each value is about 1 KiB with its key and overhead; the cache holds about ten.
  const { cache } = cacheWith(60_000, 10 * 1024);
  const kib = (label: string) => value(label.padEnd(800, '.'));
  cache.set('b:0', 'file', kib('b0'), 'team-b');
  for (let index = 0; index < 9; index += 1) cache.set(`a:${index}`, 'file', kib(`a${index}`), 'team-a');
  t.is(cache.size, 10, 'alone, team-a used the rest of the cache');
  for (let index = 9; index < 40; index += 1) cache.set(`a:${index}`, 'file', kib(`a${index}`), 'team-a');
  t.is(text(cache.get('b:0')?.contents)?.slice(0, 2), 'b0', "team-b's value is still there");
  t.is(cache.get('a:8'), undefined, "team-a's older values made the room");
  t.truthy(cache.get('a:39'));
  t.true(cache.bytes <= 10 * 1024);
});

test('a value larger than an owner\'s share still fits by evicting the oldest of all', (t) => {
  const { cache } = cacheWith(60_000, 10 * 1024);
  for (let index = 0; index < 9; index += 1) cache.set(`b:${index}`, 'file', value(`b${index}`.padEnd(800, '.')), 'team-b');
  cache.set('a:big', 'file', value('a'.repeat(4_000)), 'team-a');
  t.truthy(cache.get('a:big'));
  t.true(cache.bytes <= 10 * 1024, `${cache.bytes}`);
  t.is(cache.get('b:0'), undefined);
});
