import test from 'ava';
import { createStoreRegistry } from '../../../src/stores/registry.ts';
import { closeStores, startStores } from '../../../src/stores/start-stores.ts';
import { vaultStoreModule } from '../../../src/stores/vault/index.ts';
import { goJson, parseEnvelope, shapeValue } from '../../../src/stores/vault/response.ts';
import { testSharedParts } from '../../helpers/shared-parts.ts';

test('starts the vault store when --vault-addr is given, and not otherwise', async (t) => {
  const registry = createStoreRegistry();
  const on = await startStores(registry, { vault: { addr: 'https://vault.example:8200' } }, testSharedParts());
  t.teardown(() => closeStores(on));
  t.is(on.get('vault')?.store, 'vault');
  t.is(on.get('vault')?.maxBatchSize, 20);
  const off = await startStores(registry, {}, testSharedParts());
  t.teardown(() => closeStores(off));
  t.false(off.has('vault'));
});

test('fails to start on a bad flag, naming it', async (t) => {
  const error = await t.throwsAsync(vaultStoreModule.start({ addr: 'https://v', leaseFraction: 'most' }, testSharedParts()));
  t.is(error?.message, '--vault-lease-fraction: "most" is not a fraction between 0 and 1, such as 0.5, 2/3 or 0.9');
});

test('declares the vault and openbao dialects and the vault. settings', (t) => {
  t.deepEqual(vaultStoreModule.dialects.map((dialect) => dialect.name), ['vault', 'openbao']);
  t.deepEqual(vaultStoreModule.settings?.parameters.map((parameter) => parameter.name), ['role', 'address', 'authMount', 'namespace', 'audience']);
  t.deepEqual(vaultStoreModule.sources[0]?.objectParameters?.map((parameter) => [parameter.name, parameter.kind ?? 'string']), [['method', 'string'], ['args', 'mapping']]);
});

test('writes JSON as Go does: map keys sorted, HTML characters escaped, the envelope in struct order', (t) => {
  t.is(goJson({ b: 1, a: { d: '<x>&', c: [true, null] } }), '{"b":1,"a":{"c":[true,null],"d":"\\u003cx\\u003e\\u0026"}}');
  t.is(goJson('line\u2028sep'), '"line\\u2028sep"');
});

test('writes the whole envelope for the response shape, and only the data for the others', (t) => {
  const response = parseEnvelope({ request_id: 'r', lease_id: 'database/creds/app/x', renewable: true, lease_duration: 60, data: { username: 'u', password: 'p' }, wrap_info: null, warnings: null, auth: null, mount_type: 'database' });
  if (!response) return t.fail('not an envelope');
  t.is(Buffer.from(shapeValue(response, 'response', false, 'read').contents).toString(), '{"request_id":"r","lease_id":"database/creds/app/x","lease_duration":60,"renewable":true,"data":{"password":"p","username":"u"},"warnings":null,"mount_type":"database"}');
  t.is(Buffer.from(shapeValue(response, 'data', false, 'read').contents).toString(), '{"username":"u","password":"p"}');
  t.is(shapeValue(response, 'data', false, 'read').kvVersion, undefined);
});

test('an answer without data is not found, naming the read', (t) => {
  const response = parseEnvelope({ data: null, warnings: ['no such role'] });
  if (!response) return t.fail('not an envelope');
  t.throws(() => shapeValue(response, 'data', false, 'read of "x/y"'), { name: 'NotFoundError', message: 'Vault answered the read of "x/y" without data (warnings: no such role)' });
});
