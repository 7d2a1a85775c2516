import test from 'ava';
import { planParameters } from '../../../src/spc/plan.ts';
import type { ObjectSpec, PlanResult } from '../../../src/spc/types.ts';
import { PERMISSION, plannedObjects, problems } from '../../spc/plan-helpers.ts';
import { planContext } from '../../helpers/catalog.ts';

const ADDRESS = 'https://vault.example:8200';
const plan = (dialect: string, parameters: Readonly<Record<string, string>>): PlanResult => planParameters(parameters, planContext(PERMISSION), dialect);
const vault = (objects: string, parameters: Readonly<Record<string, string>> = {}) => plan('vault', { roleName: 'app', vaultAddress: ADDRESS, ...parameters, objects });

/** The parts of an object a dialect decides. */
function summary(object: ObjectSpec | undefined) {
  return object && { id: object.id, store: object.store, locator: object.locator, path: object.path, mode: object.mode.toString(8), extract: object.extract, encoding: object.encoding, storeParams: object.storeParams };
}

test('plans the Vault provider\'s example: a key of a KV v2 secret, and a whole response', (t) => {
  const objects = plannedObjects(t, vault('- objectName: "db-password"\n  secretPath: "secret/data/db-pass"\n  secretKey: "password"\n- objectName: db.json\n  secretPath: /v1/secret/data/db-pass\n'));
  const common = { role: 'app', address: ADDRESS, audience: 'vault', fields: JSON.stringify({ role: 'roleName', address: 'vaultAddress' }), pathStyle: 'api' };
  t.deepEqual(objects.map(summary), [
    { id: 'objects[0]', store: 'vault', locator: 'secret/data/db-pass', path: 'db-password', mode: '644', extract: { kind: 'jsonKey', key: 'password', field: 'secretKey' }, encoding: 'utf-8', storeParams: { ...common, shape: 'provider' } },
    { id: 'objects[1]', store: 'vault', locator: 'secret/data/db-pass', path: 'db.json', mode: '644', extract: undefined, encoding: 'utf-8', storeParams: { ...common, shape: 'response' } },
  ]);
});

test('carries method, secretArgs, a secretPath query, encoding and filePermission', (t) => {
  const [pki, pinned] = plannedObjects(t, vault('- objectName: cert\n  secretPath: pki/issue/web\n  method: put\n  secretArgs:\n    common_name: web.example.com\n    ttl: 24h\n  filePermission: 0600\n- objectName: old\n  secretPath: secret/data/db?version=1\n  secretKey: blob\n  encoding: Base64\n  filePermission: 384\n'));
  t.like(pki, { mode: 0o600, storeParams: { method: 'PUT', args: JSON.stringify({ common_name: 'web.example.com', ttl: '24h' }) } });
  t.like(pinned, { locator: 'secret/data/db', mode: 0o600, encoding: 'base64', storeParams: { query: 'version=1' } });
});

/** How the top-level parameters reach every object's store parameters (besides role, fields, shape and pathStyle). */
const settings = test.macro((t, dialect: string, parameters: Record<string, string>, expected: Record<string, string>) => {
  const [object] = plannedObjects(t, plan(dialect, { ...parameters, objects: '- {objectName: f, secretPath: secret/data/f}' }));
  const rest = Object.fromEntries(Object.entries(object?.storeParams ?? {}).filter(([key]) => !['role', 'fields', 'shape', 'pathStyle'].includes(key)));
  t.deepEqual(rest, expected);
});
test('vault: the address, namespace, auth mount, audience and TLS parameters', settings, 'vault', {
  roleName: 'app', vaultAddress: ADDRESS, vaultNamespace: 'team-a', vaultAuthMountPath: 'jwt', audience: 'vault-prod', vaultCACertPath: '/etc/vault/ca.pem', vaultCADirectory: '/etc/vault/cas', vaultTLSServerName: 'vault.internal', vaultTLSClientCertPath: '/etc/vault/c.pem', vaultTLSClientKeyPath: '/etc/vault/k.pem', vaultSkipTLSVerify: 'true',
}, { address: ADDRESS, namespace: 'team-a', authMount: 'jwt', audience: 'vault-prod', caCert: '/etc/vault/ca.pem', caDir: '/etc/vault/cas', tlsServerName: 'vault.internal', clientCert: '/etc/vault/c.pem', clientKey: '/etc/vault/k.pem', skipTlsVerify: 'true' });
test('vault: vaultKubernetesMountPath names the auth mount too', settings, 'vault', { roleName: 'app', vaultKubernetesMountPath: 'k8s-prod' }, { authMount: 'k8s-prod', audience: 'vault' });
test('vault: vaultSkipTLSVerify false is left out', settings, 'vault', { roleName: 'app', vaultSkipTLSVerify: 'False' }, { audience: 'vault' });
test('openbao: the bao names, with openbao as the default audience', settings, 'openbao', {
  roleName: 'app', baoAddress: ADDRESS, baoNamespace: 'team-a', baoAuthMountPath: 'jwt', baoCACertPath: '/etc/bao/ca.pem', baoCADirectory: '/etc/bao/cas', baoTLSServerName: 'bao.internal', baoTLSClientCertPath: '/etc/bao/c.pem', baoTLSClientKeyPath: '/etc/bao/k.pem', baoSkipTLSVerify: '1',
}, { address: ADDRESS, namespace: 'team-a', authMount: 'jwt', audience: 'openbao', caCert: '/etc/bao/ca.pem', caDir: '/etc/bao/cas', tlsServerName: 'bao.internal', clientCert: '/etc/bao/c.pem', clientKey: '/etc/bao/k.pem', skipTlsVerify: 'true' });
test('openbao: the earlier openbao names', settings, 'openbao', { openbaoRoleName: 'app', openbaoAddress: ADDRESS, openbaoNamespace: 'ns', openbaoKubernetesMountPath: 'k8s' }, { address: ADDRESS, namespace: 'ns', authMount: 'k8s', audience: 'openbao' });
test('openbao: the Vault provider\'s names', settings, 'openbao', { vaultRoleName: 'app', vaultAddress: ADDRESS, vaultNamespace: 'ns', audience: 'custom' }, { address: ADDRESS, namespace: 'ns', audience: 'custom' });
test('openbao: bao names win over openbao names, and those over vault names', settings, 'openbao', { roleName: 'app', vaultAddress: 'https://wrong', openbaoAddress: 'https://also-wrong', baoAddress: ADDRESS }, { address: ADDRESS, audience: 'openbao' });

test('records which parameter each setting came from, for the store\'s messages', (t) => {
  const [object] = plannedObjects(t, plan('openbao', { openbaoRoleName: 'app', baoAddress: ADDRESS, vaultCACertPath: '/ca.pem', objects: '- {objectName: f, secretPath: kv/f}' }));
  t.deepEqual(JSON.parse(object?.storeParams['fields'] ?? '{}'), { role: 'openbaoRoleName', address: 'baoAddress', caCert: 'vaultCACertPath' });
});

test('plans the legacy format: the first segment is the KV mount, the file and the key are objectName', (t) => {
  const objects = plannedObjects(t, vault('array:\n  - |\n    objectPath: "/secret/db"\n    objectName: "password"\n    objectVersion: ""\n  - |\n    objectPath: "/kv/app/config"\n    objectName: "host"\n', { vaultSkipTLSVerify: 'true', KubernetesServiceAccountPath: '/var/run/secrets/kubernetes.io/serviceaccount/token' }));
  const common = { role: 'app', address: ADDRESS, audience: 'vault', skipTlsVerify: 'true', fields: JSON.stringify({ role: 'roleName', address: 'vaultAddress', skipTlsVerify: 'vaultSkipTLSVerify' }), kvOnly: 'true' };
  t.deepEqual(objects.map(summary), [
    { id: 'objects.array[0]', store: 'vault', locator: 'secret/db', path: 'password', mode: '644', extract: { kind: 'jsonKey', key: 'password', field: 'objectName' }, encoding: 'utf-8', storeParams: common },
    { id: 'objects.array[1]', store: 'vault', locator: 'kv/app/config', path: 'host', mode: '644', extract: { kind: 'jsonKey', key: 'host', field: 'objectName' }, encoding: 'utf-8', storeParams: common },
  ]);
});

test('carries a legacy class\'s vaultCAPem for the store to hold against the administrator\'s CA', (t) => {
  const [object] = plannedObjects(t, vault('array:\n  - |\n    objectPath: /secret/db\n    objectName: password\n', { vaultCAPem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----' }));
  t.is(object?.storeParams['caPem'], '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----');
});

const rejects = test.macro((t, dialect: string, parameters: Record<string, string>, expected: readonly string[]) => {
  t.deepEqual(problems(plan(dialect, parameters)), expected);
});
const entry = (objects: string, more: Record<string, string> = {}) => ({ roleName: 'app', objects, ...more });
test('requires roleName', rejects, 'vault', { objects: '- {objectName: f, secretPath: secret/data/f}' }, ['roleName: is required: the Vault role the pod logs in as']);
test('requires objects', rejects, 'vault', { roleName: 'app' }, ['objects: is required: a YAML list of objects, each with an "objectName" and a "secretPath"']);
test('refuses an empty objects list', rejects, 'vault', entry('[]'), ['objects: must list at least one object: no secrets configured']);
test('refuses objects that are neither a list nor the legacy mapping', rejects, 'vault', entry('foo: bar'), ['objects: must be a YAML list, not a mapping (or the legacy mapping with an "array" list)']);
test('refuses the legacy format in the openbao dialect', rejects, 'openbao', entry('array: []'), ['objects: must be a YAML list, not a mapping']);
test('requires objectName and secretPath', rejects, 'vault', entry('- {secretKey: a}'), ['objects[0].objectName: is required: the file the secret is written to', 'objects[0].secretPath: is required: the Vault API path to read, e.g. "secret/data/db"']);
test('refuses an objectName that leaves the mount', rejects, 'vault', entry('- {objectName: ../x, secretPath: secret/data/x}'), ['objects[0].objectName: "../x" leaves the mount ("..")']);
test('refuses a secretPath with a dot-dot segment', rejects, 'vault', entry('- {objectName: x, secretPath: secret/../sys/policy}'), ['objects[0].secretPath: "secret/../sys/policy" has a "." or ".." segment']);
test('suggests the key a typo was meant to be', rejects, 'vault', entry('- {objectName: x, secretPath: secret/data/x, secretkey: a}'), ['objects[0].secretkey: unknown key; did you mean "secretKey"?']);
test('refuses a method Vault reads do not use', rejects, 'vault', entry('- {objectName: x, secretPath: secret/data/x, method: DELETE}'), ['objects[0].method: "DELETE" is not one of GET, PUT, POST']);
test('refuses secretArgs that are not a mapping', rejects, 'vault', entry('- {objectName: x, secretPath: pki/issue/web, secretArgs: [a]}'), ['objects[0].secretArgs: must be a mapping, not a list']);
test('refuses two objects with one objectName', rejects, 'vault', entry('- {objectName: x, secretPath: secret/data/a}\n- {objectName: x, secretPath: secret/data/b}'), ['objects[1].objectName: "x" is also the path of objects[0]']);
test('refuses both auth mount parameters', rejects, 'vault', entry('- {objectName: x, secretPath: secret/data/x}', { vaultKubernetesMountPath: 'a', vaultAuthMountPath: 'b' }), ['vaultAuthMountPath: cannot be set together with vaultKubernetesMountPath; they name the same auth mount']);
test('refuses a vaultAddress that is not a URL', rejects, 'vault', entry('- {objectName: x, secretPath: secret/data/x}', { vaultAddress: 'vault:8200' }), ['vaultAddress: "vault:8200" is not an http:// or https:// URL without credentials, query or fragment']);
test('refuses a vaultSkipTLSVerify that is not a boolean', rejects, 'vault', entry('- {objectName: x, secretPath: secret/data/x}', { vaultSkipTLSVerify: 'yes' }), ['vaultSkipTLSVerify: must be true or false, not "yes"']);
test('refuses a parameter of another provider, listing its own', rejects, 'vault', entry('- {objectName: x, secretPath: secret/data/x}', { baoAddress: ADDRESS }), ['baoAddress: unknown parameter for the vault dialect; expected objects, roleName, vaultAddress, vaultNamespace, vaultKubernetesMountPath, vaultAuthMountPath, audience, vaultCACertPath, vaultCADirectory, vaultTLSServerName, vaultTLSClientCertPath, vaultTLSClientKeyPath, vaultSkipTLSVerify, vaultCAPem, KubernetesServiceAccountPath']);
test('refuses a legacy objectPath without a secret inside the mount', rejects, 'vault', entry('array:\n  - |\n    objectPath: /secret\n    objectName: x\n'), ['objects.array[0].objectPath: "/secret" names no secret inside a mount; write "/<kv mount>/<path>"']);
test('refuses legacy skip-verify together with a CA', rejects, 'vault', entry('array:\n  - |\n    objectPath: /secret/db\n    objectName: x\n', { vaultSkipTLSVerify: 'true', vaultCACertPath: '/ca.pem' }), ['vaultSkipTLSVerify: both vaultSkipTLSVerify and TLS configuration are set; use one']);
test('suggests the parameter a typo was meant to be', rejects, 'vault', entry('- {objectName: x, secretPath: secret/data/x}', { vaultAdress: ADDRESS }), ['vaultAdress: unknown parameter for the vault dialect; did you mean "vaultAddress"?']);
test('refuses an unknown key of a legacy entry', rejects, 'vault', entry('array:\n  - |\n    objectPath: /secret/db\n    objectName: x\n    secretKey: y\n'), ['objects.array[0].secretKey: unknown key; expected one of objectName, objectPath, objectVersion']);

test('is chosen by the dialect parameter on the native socket', (t) => {
  const result = planParameters({ dialect: 'openbao', roleName: 'app', objects: '- {objectName: f, secretPath: kv/f}' }, planContext(PERMISSION));
  t.true(result.ok && result.plan.dialect === 'openbao');
});

/** The native dialect's vault: source. */
const native = (objects: string, parameters: Record<string, string> = {}) => plan('native', { 'vault.role': 'app', ...parameters, objects });

test('plans native vault: sources with the settings, method and args', (t) => {
  const [kv, pki] = plannedObjects(t, native('- {source: "vault:secret/app/db", version: 3, jsonKey: password}\n- source: vault:pki/issue/web\n  path: tls/cert.json\n  method: PUT\n  args: {common_name: web.example.com}\n', { 'vault.address': ADDRESS, 'vault.namespace': 'team-a', 'vault.authMount': 'jwt', 'vault.audience': 'vault-prod' }));
  const settingsParams = { role: 'app', address: ADDRESS, namespace: 'team-a', authMount: 'jwt', audience: 'vault-prod' };
  t.like(kv, { store: 'vault', locator: 'secret/app/db', version: '3', path: 'db', storeParams: settingsParams });
  t.like(pki, { locator: 'pki/issue/web', path: 'tls/cert.json', storeParams: { ...settingsParams, method: 'PUT', args: '{"common_name":"web.example.com"}' } });
});

const nativeRejects = test.macro((t, objects: string, parameters: Record<string, string>, expected: readonly string[]) => {
  t.deepEqual(problems(native(objects, parameters)), expected);
});
test('refuses a native vault locator with a query', nativeRejects, '- {source: "vault:secret/db?version=2"}', {}, ['objects[0].source: "secret/db?version=2" has a query; pin a KV v2 version with "version" instead']);
test('refuses a native stage pin', nativeRejects, '- {source: "vault:secret/db", stage: current}', {}, ['objects[0].stage: Vault has no staging labels; pin a KV v2 version with "version" instead']);
test('refuses a native version that is not a number', nativeRejects, '- {source: "vault:secret/db", version: latest}', {}, ['objects[0].version: "latest" is not a KV v2 version number']);
test('refuses native args that are not a mapping', nativeRejects, '- {source: "vault:pki/issue/web", method: PUT, args: x}', {}, ['objects[0].args: must be a mapping, not a string']);
test('refuses a native method Vault reads do not use', nativeRejects, '- {source: "vault:secret/db", method: PATCH}', {}, ['objects[0].method: "PATCH" is not one of GET, PUT, POST']);
test('refuses a native vault.address that is not a URL', nativeRejects, '- {source: "vault:secret/db"}', { 'vault.address': 'ftp://vault' }, ['vault.address: "ftp://vault" is not an http:// or https:// URL without credentials, query or fragment']);
test('refuses a native vault.authMount with a dot-dot segment', nativeRejects, '- {source: "vault:secret/db"}', { 'vault.authMount': '../sys' }, ['vault.authMount: "../sys" is not a clean path']);
