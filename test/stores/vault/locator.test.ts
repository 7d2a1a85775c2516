import test from 'ava';
import fc from 'fast-check';
import { apiPathOf, kvV2DataPath, mountPrefix, mountSegments, vaultPathProblem } from '../../../src/stores/vault/locator.ts';

const problem = test.macro((t, path: string, query: boolean, expected: string | undefined) => {
  t.is(vaultPathProblem(path, query), expected);
});
test('accepts a KV path', problem, 'secret/app/db', false, undefined);
test('accepts a query where one is allowed', problem, 'secret/data/db?version=2', true, undefined);
test('refuses a query in a native locator', problem, 'secret/db?version=2', false, '"secret/db?version=2" has a query; pin a KV v2 version with "version" instead');
test('refuses a leading slash', problem, '/secret/db', false, '"/secret/db" starts with "/"; write the path without it, e.g. "secret/app/db"');
test('refuses a v1 prefix', problem, 'v1/secret/db', false, '"v1/secret/db" starts with "v1/"; write the path without it, e.g. "secret/app/db"');
test('refuses a dot-dot segment', problem, 'secret/../sys/policy', false, '"secret/../sys/policy" has a "." or ".." segment');
test('refuses an empty segment', problem, 'secret//db', false, '"secret//db" has an empty segment ("//" or a trailing "/")');
test('refuses a trailing slash', problem, 'secret/db/', false, '"secret/db/" has an empty segment ("//" or a trailing "/")');
test('refuses a space', problem, 'secret/my db', false, '"secret/my db" contains a space, "#" or a NUL character');
test('refuses a query that is not pairs', problem, 'secret/db?=x', true, '"secret/db?=x" has a query that is not name=value pairs');
test('refuses an empty path', problem, '', false, 'names no path');

test('a secretPath loses its leading slash, its v1/ and its query', (t) => {
  t.deepEqual(apiPathOf('/v1/secret/data/db?version=3'), { path: 'secret/data/db', query: 'version=3' });
  t.deepEqual(apiPathOf('v1/secret/foo'), { path: 'secret/foo', query: undefined });
  t.deepEqual(apiPathOf('database/creds/app?'), { path: 'database/creds/app', query: undefined });
});

const segments = test.macro((t, locator: string, mount: string, expected: number | undefined) => {
  t.is(mountSegments(locator, mount), expected);
});
test('finds a one-segment mount', segments, 'secret/app/db', 'secret/', 1);
test('finds a two-segment mount', segments, 'team/kv/app/db', 'team/kv/', 2);
test('finds a mount below a namespace prefix the locator carries', segments, 'team-a/secret/app', 'secret/', 2);
test('finds a mount whose path carries the namespace the header names', segments, 'secret/app', 'team-a/secret/', 1);
test('finds no mount that is not in the locator', segments, 'other/app', 'secret/', undefined);

test('puts data/ after the mount of a KV v2 path', (t) => {
  t.is(kvV2DataPath('secret/app/db', 1), 'secret/data/app/db');
  t.is(kvV2DataPath('team/kv/app', 2), 'team/kv/data/app');
  t.is(kvV2DataPath('secret/data/app/db', 1), 'secret/data/app/db', 'a path written with data/ keeps it');
  t.is(kvV2DataPath('secret/data', 1), 'secret/data/data', 'a secret named data is a secret');
  t.is(mountPrefix('team-a/secret/app', 2), 'team-a/secret/');
});

test('every KV v2 data path keeps the mount and ends with the secret path', (t) => {
  const segment = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/).filter((s) => s !== 'data');
  fc.assert(
    fc.property(fc.array(segment, { minLength: 1, maxLength: 3 }), fc.array(segment, { minLength: 1, maxLength: 4 }), (mount, inside) => {
      const path = kvV2DataPath([...mount, ...inside].join('/'), mount.length);
      return path === [...mount, 'data', ...inside].join('/') && mountSegments(path, `${mount.join('/')}/`) === mount.length;
    }),
  );
  t.pass();
});
