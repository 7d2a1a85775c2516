import test, { type ExecutionContext } from 'ava';
import { status } from '@grpc/grpc-js';
import { createHmac } from 'node:crypto';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FetchRequest, FetchResult } from '../../../src/stores/backend.ts';
import { FileStore } from '../../../src/stores/file/file-store.ts';
import { createContentVersion } from '../../../src/output/content-version.ts';
import { CourierError, NotFoundError, PermissionError } from '../../../src/errors/courier-error.ts';

const text = (result: FetchResult | undefined) => (result?.ok ? new TextDecoder().decode(result.contents) : undefined);
const KEY = Buffer.alloc(32, 9);
/** The keyed version the store reports: HMAC-SHA256 of the contents, so the version reveals nothing about them. */
const versionOf = (contents: string) => `hmac-${createHmac('sha256', KEY).update(contents).digest('hex').slice(0, 16)}`;
const request = (locator: string, version?: string): FetchRequest => ({ locator, storeParams: {}, ...(version === undefined ? {} : { version }) });

/** A started store over a fresh directory holding `files`; `outside` is a sibling directory outside the store. */
async function storeWith(t: ExecutionContext, files: Readonly<Record<string, string>>) {
  const base = await mkdtemp(join(tmpdir(), 'courier-file-store-'));
  const root = join(base, 'store');
  const outside = join(base, 'outside');
  await mkdir(root);
  await mkdir(outside);
  for (const [path, contents] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), contents);
  }
  const store = new FileStore(root, createContentVersion(KEY));
  t.teardown(async () => {
    await store.close();
    await rm(base, { recursive: true, force: true });
  });
  await store.start();
  return { store, root, outside };
}

async function fetchOne(store: FileStore, locator: string, version?: string): Promise<FetchResult> {
  const [result] = await store.fetch([request(locator, version)]);
  if (!result) throw new Error('no result');
  return result;
}

/** Polls `probe` every `everyMs` until it returns true; bounded at `ms`. */
async function eventually(probe: () => Promise<boolean>, ms = 5000, everyMs = 25): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await probe()) return true;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  return false;
}

const fails = test.macro({
  async exec(t, setup: (root: string, outside: string) => Promise<void>, locator: string, type: typeof NotFoundError | typeof PermissionError, message: string) {
    const { store, root, outside } = await storeWith(t, { 'a.json': '{"k":"v"}' });
    await setup(root, outside);
    const result = await fetchOne(store, locator);
    t.false(result.ok);
    if (result.ok) return;
    t.true(result.error instanceof type);
    t.is(result.error.message, message);
  },
  title: (given) => `fails when ${given ?? ''}`,
});

const nothing = () => Promise.resolve();

test('reads a file with its content hash as version', async (t) => {
  const { store } = await storeWith(t, { 'demo/db.json': '{"password":"pw"}' });
  const result = await fetchOne(store, 'demo/db.json');
  t.is(text(result), '{"password":"pw"}');
  t.is(result.ok ? result.version : undefined, versionOf('{"password":"pw"}'));
});

test('answers a batch in request order', async (t) => {
  const { store } = await storeWith(t, { a: 'A', b: 'B' });
  const results = await store.fetch([request('b'), request('missing'), request('a')]);
  t.deepEqual(results.map(text), ['B', undefined, 'A']);
  t.is(store.maxBatchSize, 64);
  t.is(store.identityKey(), '');
});

test('gives equal contents equal versions and different contents different ones', async (t) => {
  const { store } = await storeWith(t, { a: 'same', b: 'same', c: 'other' });
  const [a, b, c] = await store.fetch([request('a'), request('b'), request('c')]);
  t.is(a?.ok ? a.version : 'a', b?.ok ? b.version : 'b');
  t.not(a?.ok ? a.version : 'a', c?.ok ? c.version : 'c');
});

test('serves a pinned version that matches', async (t) => {
  const { store } = await storeWith(t, { a: 'A' });
  t.is(text(await fetchOne(store, 'a', versionOf('A'))), 'A');
});

test('refuses a pinned version that does not match', async (t) => {
  const { store } = await storeWith(t, { a: 'A' });
  const result = await fetchOne(store, 'a', 'hmac-0000000000000000');
  t.false(result.ok);
  t.is(result.ok ? '' : result.error.message, `local store file "a" is at version ${versionOf('A')}, not hmac-0000000000000000`);
  t.is(result.ok ? undefined : result.error.grpcCode, status.NOT_FOUND);
});

test('the file is missing', fails, nothing, 'nope.json', NotFoundError, 'local store has no file "nope.json"');
test('a parent is a file', fails, nothing, 'a.json/x', NotFoundError, 'local store has no file "a.json/x"');
test('the entry is a directory', fails, (root) => mkdir(join(root, 'dir')), 'dir', NotFoundError, 'local store entry "dir" is a directory, not a file');
test(
  'a symlink leaves the store',
  fails,
  async (root, outside) => {
    await writeFile(join(outside, 'host-secret'), 'H');
    await symlink(join(outside, 'host-secret'), join(root, 'escape'));
  },
  'escape',
  PermissionError,
  'local store file "escape" resolves outside the local store',
);
test(
  'a symlinked directory leaves the store',
  fails,
  async (root, outside) => {
    await writeFile(join(outside, 'host-secret'), 'H');
    await symlink(outside, join(root, 'linked'));
  },
  'linked/host-secret',
  PermissionError,
  'local store file "linked/host-secret" resolves outside the local store',
);
test(
  'the locator climbs out with ..',
  fails,
  (_root, outside) => writeFile(join(outside, 'host-secret'), 'H'),
  '../outside/host-secret',
  PermissionError,
  'local store file "../outside/host-secret" resolves outside the local store',
);
test(
  'the locator is the store itself',
  fails,
  nothing,
  '.',
  PermissionError,
  'local store file "." resolves outside the local store',
);

test('follows a symlink that stays inside the store', async (t) => {
  const { store, root } = await storeWith(t, { 'real/db.json': 'R' });
  await symlink('real/db.json', join(root, 'alias.json'));
  await symlink('real', join(root, 'dir-alias'));
  t.is(text(await fetchOne(store, 'alias.json')), 'R');
  t.is(text(await fetchOne(store, 'dir-alias/db.json')), 'R');
});

test('refuses to start on a missing directory', async (t) => {
  const store = new FileStore(join(tmpdir(), 'courier-no-such-store-dir', 'x'));
  const error = await t.throwsAsync(store.start(), { instanceOf: CourierError });
  t.is(error?.message, `local store directory ${join(tmpdir(), 'courier-no-such-store-dir', 'x')} cannot be used: ENOENT`);
  t.is(error?.grpcCode, status.FAILED_PRECONDITION);
});

test('shows a change on disk on the next fetch and tells its listeners', async (t) => {
  const { store, root } = await storeWith(t, { 'db.json': 'v1' });
  let invalidations = 0;
  store.onInvalidate(() => {
    invalidations += 1;
  });
  t.is(text(await fetchOne(store, 'db.json')), 'v1');
  await writeFile(join(root, 'db.json'), 'v2');
  t.true(await eventually(async () => text(await fetchOne(store, 'db.json')) === 'v2'), 'the change was not seen within 5 s');
  t.true(invalidations > 0);
  const result = await fetchOne(store, 'db.json');
  t.is(result.ok ? result.version : undefined, versionOf('v2'));
});

test('serves a file created after a miss', async (t) => {
  const { store, root } = await storeWith(t, {});
  t.false((await fetchOne(store, 'late.json')).ok);
  await writeFile(join(root, 'late.json'), 'L');
  t.true(await eventually(async () => text(await fetchOne(store, 'late.json')) === 'L'));
});

test('stops serving a deleted file', async (t) => {
  const { store, root } = await storeWith(t, { 'gone.json': 'G' });
  t.is(text(await fetchOne(store, 'gone.json')), 'G');
  await rm(join(root, 'gone.json'));
  t.true(await eventually(async () => !(await fetchOne(store, 'gone.json')).ok), 'the deleted file was still served after 5 s');
});

test('shows the last of several quick writes', async (t) => {
  // chokidar reports one change per file per 50 ms; a value read right after the first must not stick.
  const { store, root } = await storeWith(t, { 'db.json': 'v1' });
  t.is(text(await fetchOne(store, 'db.json')), 'v1');
  await writeFile(join(root, 'db.json'), 'v2');
  t.true(await eventually(async () => text(await fetchOne(store, 'db.json')) === 'v2', 5000, 1));
  await writeFile(join(root, 'db.json'), 'v3');
  t.true(await eventually(async () => text(await fetchOne(store, 'db.json')) === 'v3', 2000), 'the second write was not seen within 2 s');
});

test('tells listeners again once a burst of changes has settled', async (t) => {
  const { store, root } = await storeWith(t, { 'db.json': 'v1' });
  const times: number[] = [];
  store.onInvalidate(() => times.push(Date.now()));
  await writeFile(join(root, 'db.json'), 'v2');
  const first = await eventually(() => Promise.resolve(times.length > 0));
  t.true(first, 'no invalidation within 5 s');
  const start = times[0] ?? 0;
  t.true(await eventually(() => Promise.resolve(times.some((time) => time - start >= 150)), 2000), 'no trailing invalidation');
});
