import { Writable } from 'node:stream';
import test from 'ava';
import { ConfigError, PermissionError } from '../../src/errors/courier-error.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { DRIVER_KEYS } from '../../src/spc/decode-request.ts';
import { fakePodToken, tokensAttribute } from '../helpers/pod-token.ts';
import type { MountCall } from '../helpers/provider-client.ts';
import { scriptedBackend } from '../helpers/scripted-backend.ts';
import { driverAttributes, objectsYaml, startTestCourier } from '../server/courier-fixture.ts';

const DB_PASSWORD = 'pw-Zq8u1LxV-db';
const DB_JSON = JSON.stringify({ user: 'app', password: DB_PASSWORD, nested: { apiKey: 'nested-K3y-77' } });
const PLAIN_SECRET = 'plain-secret-Hh41';
const YAML_SECRET = 'log: debug\ntoken: yaml-T0k3n-55\n';
const NOT_JSON_SECRET = 'not-json-{"password": "half-Q9"';
const VAULT_SECRET = '{"password":"vault-pw-Pz2"}';
const ATTRIBUTE_TOKEN = fakePodToken({ namespace: 'team-a', serviceAccount: 'app', audience: 'sts.amazonaws.com' });
const SECRETS_TOKEN = fakePodToken({ namespace: 'team-a', serviceAccount: 'app', audience: 'scripted' });

const OBJECTS = objectsYaml([
  '{source: "file:demo/db.json", path: db.json}',
  '{source: "file:demo/db.json", path: password, jsonKey: password}',
  '{source: "file:demo/db.json", path: api-key, jmesPath: nested.apiKey}',
  '{source: "file:demo/plain"}',
  '{source: "file:demo/app.yaml", path: token, yamlKey: token}',
  '{source: "scripted:kv/app", path: vault.json}',
]);

/** Mounts that succeed and fail in every way the suite knows, with secrets in every place they can travel. */
function suite(): MountCall[] {
  const attributes = driverAttributes({ objects: OBJECTS });
  const withTokens = { ...attributes, [DRIVER_KEYS.tokens]: tokensAttribute([{ audience: 'sts.amazonaws.com', token: ATTRIBUTE_TOKEN }]) };
  const secrets = JSON.stringify({ [DRIVER_KEYS.tokens]: tokensAttribute([{ audience: 'scripted', token: SECRETS_TOKEN }]), password: 'node-publish-secret-Y7' });
  const one = (entry: string) => ({ ...withTokens, objects: objectsYaml([entry]) });
  return [
    { attributes },
    { attributes: withTokens },
    { attributes: withTokens, secrets },
    { attributes: one('{source: "file:demo/not-json", jsonKey: password}'), secrets },
    { attributes: one('{source: "file:demo/not-json", jmesPath: "abs(@)"}'), secrets },
    { attributes: one('{source: "file:demo/db.json", jmesPath: "abs(password)"}'), secrets },
    { attributes: one('{source: "file:demo/db.json", jsonKey: absent}') },
    { attributes: one('{source: "file:demo/plain", encoding: base64}') },
    { attributes: one('{source: "file:demo/missing"}') },
    { attributes: one('{source: "scripted:kv/denied"}') },
    { attributes: one('{source: "scripted:kv/bad"}') },
    { attributes: { ...withTokens, objects: `- source: file:demo/db.json\n  path: ${DB_PASSWORD}\n  bogus: [` } },
    { attributes: { ...withTokens, [DRIVER_KEYS.tokens]: `{"vault": {"token": "${SECRETS_TOKEN}"` } },
    { attributes: withTokens, secrets: `{"password": "${PLAIN_SECRET}"` },
  ];
}

test('no secret value, token, attributes or secrets appears in any log line of the suite', async (t) => {
  const vault = scriptedBackend({
    values: { 'kv/app': VAULT_SECRET },
    errors: { 'kv/denied': new PermissionError('vault denied the role'), 'kv/bad': new ConfigError('vault said no') },
  });
  const { client, logLines } = await startTestCourier(t, {
    localFiles: { 'demo/db.json': DB_JSON, 'demo/plain': PLAIN_SECRET, 'demo/app.yaml': YAML_SECRET, 'demo/not-json': NOT_JSON_SECRET },
    backends: [['scripted', vault]],
    options: { logLevel: 'trace' },
  });
  const calls = suite();
  const outcomes = await Promise.allSettled(calls.map((call) => client.mount(call)));
  // The first two succeed; the third carries different tokens in the attributes and the secrets, which Courier refuses.
  t.deepEqual(outcomes.slice(0, 3).map((outcome) => outcome.status), ['fulfilled', 'fulfilled', 'rejected']);
  t.is(outcomes.filter((outcome) => outcome.status === 'fulfilled').length, 2);
  const mountLines = logLines.filter((line) => line.includes('"msg":"mount"'));
  t.is(mountLines.length, calls.length);
  const forbidden = [DB_PASSWORD, DB_JSON, 'nested-K3y-77', PLAIN_SECRET, 'yaml-T0k3n-55', 'half-Q9', 'vault-pw-Pz2', 'node-publish-secret-Y7', ATTRIBUTE_TOKEN, SECRETS_TOKEN];
  for (const token of [ATTRIBUTE_TOKEN, SECRETS_TOKEN]) forbidden.push(...token.split('.'));
  for (const call of calls) forbidden.push(JSON.stringify(call.attributes), call.attributes['objects'] ?? '', call.secrets ?? 'null');
  const leaks = logLines.flatMap((line) => forbidden.filter((text) => text !== 'null' && line.includes(text)).map((text) => `${text.slice(0, 20)}… in ${line.slice(0, 120)}`));
  t.deepEqual(leaks, []);
});

test('each Mount logs one line with pod, SecretProviderClass, object count, duration and outcome', async (t) => {
  const { client, logLines } = await startTestCourier(t, { localFiles: { 'demo/plain': PLAIN_SECRET } });
  await client.mount({ attributes: driverAttributes({ objects: objectsYaml(['{source: "file:demo/plain"}']) }, { namespace: 'team-b', name: 'web-1' }) });
  const lines = logLines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line['msg'] === 'mount');
  t.is(lines.length, 1);
  const { time, durationMs, ...rest } = lines[0] ?? {};
  t.is(typeof time, 'string');
  t.is(typeof durationMs, 'number');
  t.deepEqual(rest, { level: 'info', service: 'courier', namespace: 'team-b', pod: 'web-1', secretProviderClass: 'test-spc', objects: 1, files: 1, skipped: 0, outcome: 'ok', msg: 'mount' });
});

/** Logs one object through the redacting logger and returns the parsed line. */
function logOnce(fields: Record<string, unknown>): Record<string, unknown> {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString('utf8'));
      callback();
    },
  });
  createLogger('info', sink).info(fields, 'oops');
  return JSON.parse(lines.join('')) as Record<string, unknown>;
}

const censors = test.macro({
  exec(t, field: string) {
    const line = logOnce({ [field]: 'LEAK-1', request: { [field]: 'LEAK-2' } });
    t.is(line[field], '[redacted]');
    t.deepEqual(line['request'], { [field]: '[redacted]' });
    t.false(JSON.stringify(line).includes('LEAK'));
  },
  title: (given, field: string) => given ?? `the logger censors a "${field}" field at the top and one level down`,
});

for (const field of ['attributes', 'secrets', 'token', 'tokens', 'contents', 'password', 'secret', 'secretString', 'authorization', 'parameters', 'credentials']) test(censors, field);

test('the logger keeps fields that carry no secret', (t) => {
  const line = logOnce({ namespace: 'team-a', objects: 3 });
  t.is(line['namespace'], 'team-a');
  t.is(line['objects'], 3);
});
