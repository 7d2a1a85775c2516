import test from 'ava';
import { formatGoDuration, parseDurationSeconds } from './duration.ts';
import { allows, capabilitiesOn, parsePolicy, touchesMount, type Capability } from './policy.ts';

const HCL = `
# KV v2 paths of the app
path "secret/data/app/*" {
  capabilities = ["read", "list"]
}
path "secret/data/app/admin" { capabilities = ["deny"] }   // never
path "secret/data/+/shared" { capabilities = ["read"] }
path "database/creds/readonly" { capabilities = ["read"] }
`;

const granted = test.macro({
  exec(t, path: string, capability: Capability, expected: boolean) {
    t.is(allows(parsePolicy(HCL), path, capability), expected);
  },
  title: (given, path: string, capability: Capability, expected: boolean) => given ?? `${expected ? 'grants' : 'refuses'} ${capability} on ${path}`,
});

test(granted, 'secret/data/app/db', 'read', true);
test(granted, 'secret/data/app/nested/deep', 'list', true);
test(granted, 'secret/data/app/db', 'update', false);
test(granted, 'secret/data/app/admin', 'read', false);
test(granted, 'secret/data/team/shared', 'read', true);
test(granted, 'secret/data/team/deeper/shared', 'read', false);
test(granted, 'database/creds/readonly', 'read', true);
test(granted, 'database/creds/readonly-2', 'read', false);
test(granted, 'secret/metadata/app/db', 'read', false);

test('parses JSON policies and plain maps to the same rules', (t) => {
  const json = parsePolicy(JSON.stringify({ path: { 'kv/app/*': { capabilities: ['read'] } } }));
  const map = parsePolicy({ 'kv/app/*': ['read'] });
  t.deepEqual(json, map);
  t.deepEqual(map, [{ path: 'kv/app/*', capabilities: ['read'] }]);
});

test('rejects an unknown capability and a star that is not last', (t) => {
  t.throws(() => parsePolicy({ 'kv/*': ['write' as Capability] }), { message: 'policy path "kv/*": unknown capability "write"' });
  t.throws(() => parsePolicy('path "kv/*/x" { capabilities = ["read"] }'), { message: 'policy path "kv/*/x": "*" is only allowed at the end' });
});

test('merges rules of the same path across policies, deny overriding', (t) => {
  const rules = [...parsePolicy({ 'kv/a': ['read'] }), ...parsePolicy({ 'kv/a': ['update'] })];
  t.deepEqual([...capabilitiesOn(rules, 'kv/a')].sort(), ['read', 'update']);
  const denied = [...rules, ...parsePolicy({ 'kv/a': ['deny'] })];
  t.deepEqual([...capabilitiesOn(denied, 'kv/a')], ['deny']);
});

test('prefers the longer glob and a segment wildcard over a trailing star at the same position', (t) => {
  const rules = parsePolicy({ 'kv/*': ['read'], 'kv/app/*': ['list'], 'kv/+/x': ['update'] });
  t.deepEqual([...capabilitiesOn(rules, 'kv/app/y')], ['list']);
  t.deepEqual([...capabilitiesOn(rules, 'kv/other/x')], ['update']);
  t.deepEqual([...capabilitiesOn(rules, 'kv/other/y')], ['read']);
});

test('a token touches a mount when any non-deny rule reaches into it', (t) => {
  const rules = parsePolicy(HCL);
  t.true(touchesMount(rules, 'secret/'));
  t.true(touchesMount(rules, 'database/'));
  t.false(touchesMount(rules, 'kv/'));
  t.true(touchesMount(parsePolicy({ '*': ['read'] }), 'kv/'));
  t.false(touchesMount(parsePolicy({ 'kv/*': ['deny'] }), 'kv/'));
});

const duration = test.macro({
  exec(t, input: unknown, seconds: number | undefined) {
    t.is(parseDurationSeconds(input), seconds);
  },
  title: (given, input: unknown) => given ?? `parses the duration ${JSON.stringify(input)}`,
});

test(duration, 90, 90);
test(duration, '90', 90);
test(duration, '1h30m', 5400);
test(duration, '7d', 604_800);
test(duration, '1.5s', 1);
test(duration, '', 0);
test(duration, 'soon', undefined);
test(duration, -1, undefined);

test('formats durations as Go prints them in warnings', (t) => {
  t.deepEqual([0, 59, 60, 3599, 7200].map(formatGoDuration), ['0s', '59s', '1m0s', '59m59s', '2h0m0s']);
});
