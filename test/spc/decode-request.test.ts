import test from 'ava';
import { AuthError } from '../../src/errors/courier-error.ts';
import fc from 'fast-check';
import { ConfigError } from '../../src/errors/courier-error.ts';
import { decodeRequest, DEFAULT_PERMISSION, DRIVER_KEYS, parsePermission, type RawMountRequest } from '../../src/spc/decode-request.ts';
import { fakePodToken, tokensAttribute } from '../helpers/pod-token.ts';

const SECRET_LOOKING = 'hunter2-s3cr3t-value';

const POD_ATTRIBUTES = {
  [DRIVER_KEYS.secretProviderClass]: 'app-secrets',
  [DRIVER_KEYS.podName]: 'web-0',
  [DRIVER_KEYS.podNamespace]: 'shop',
  [DRIVER_KEYS.podUid]: 'c0ffee00-0000-4000-8000-000000000001',
  [DRIVER_KEYS.serviceAccount]: 'web',
  objects: '- source: file:db.json\n',
};

function request(overrides: Partial<RawMountRequest> = {}): RawMountRequest {
  return { attributes: JSON.stringify(POD_ATTRIBUTES), secrets: '{}', targetPath: '/var/lib/kubelet/pods/x/volumes/y', permission: '420', ...overrides };
}

const rejects = test.macro({
  exec(t, raw: Partial<RawMountRequest>, message: string) {
    const error = t.throws(() => decodeRequest(request(raw)), { instanceOf: ConfigError });
    t.is(error?.message, message);
    t.false(error?.message.includes(SECRET_LOOKING), 'the message quotes the input');
  },
  title: (given) => `rejects ${given ?? 'a request'}`,
});

test('decodes pod information, parameters, permission and target path', (t) => {
  const decoded = decodeRequest(request());
  t.deepEqual(decoded.pod, { name: 'web-0', namespace: 'shop', uid: 'c0ffee00-0000-4000-8000-000000000001', serviceAccount: 'web' });
  t.is(decoded.secretProviderClass, 'app-secrets');
  t.is(decoded.parameters['objects'], '- source: file:db.json\n');
  t.is(decoded.permission, 0o644);
  t.is(decoded.targetPath, '/var/lib/kubelet/pods/x/volumes/y');
  t.is(decoded.tokens.size, 0);
});

test('leaves pod fields empty when the driver did not send them', (t) => {
  const decoded = decodeRequest(request({ attributes: '{}' }));
  t.deepEqual(decoded.pod, { name: '', namespace: '', uid: '', serviceAccount: '' });
  t.is(decoded.secretProviderClass, '');
});

const acceptsSecrets = test.macro({
  exec(t, secrets: string) {
    t.is(decodeRequest(request({ secrets })).tokens.size, 0);
  },
  title: (_given, secrets: string) => `accepts secrets written as ${JSON.stringify(secrets)}`,
});

test(acceptsSecrets, '');
test(acceptsSecrets, 'null');
test(acceptsSecrets, ' null ');
test(acceptsSecrets, '{}');
test(acceptsSecrets, '{"username":"admin","password":"hunter2"}');

test('reads tokens from the attributes', (t) => {
  const token = fakePodToken({ namespace: 'shop', serviceAccount: 'web', audience: 'sts.amazonaws.com' });
  const attributes = JSON.stringify({ ...POD_ATTRIBUTES, [DRIVER_KEYS.tokens]: tokensAttribute([{ audience: 'sts.amazonaws.com', token }]) });
  const tokens = decodeRequest(request({ attributes })).tokens;
  t.deepEqual([...tokens.keys()], ['sts.amazonaws.com']);
  t.is(tokens.get('sts.amazonaws.com')?.token, token);
  t.regex(tokens.get('sts.amazonaws.com')?.expirationTimestamp ?? '', /^\d{4}-\d\d-\d\dT/);
});

test('reads tokens from the secrets, as newer kubelets send them', (t) => {
  const token = fakePodToken({ namespace: 'shop', serviceAccount: 'web', audience: 'vault' });
  const secrets = JSON.stringify({ [DRIVER_KEYS.tokens]: tokensAttribute([{ audience: 'vault', token }]) });
  t.is(decodeRequest(request({ secrets })).tokens.get('vault')?.token, token);
});

test('prefers the tokens in the secrets when the attribute is empty', (t) => {
  const token = fakePodToken({ namespace: 'shop', serviceAccount: 'web', audience: 'vault' });
  const attributes = JSON.stringify({ ...POD_ATTRIBUTES, [DRIVER_KEYS.tokens]: '' });
  const secrets = JSON.stringify({ [DRIVER_KEYS.tokens]: tokensAttribute([{ audience: 'vault', token }]) });
  t.is(decodeRequest(request({ attributes, secrets })).tokens.get('vault')?.token, token);
});

test('hands the nodePublishSecretRef data to stores without the tokens key', (t) => {
  const token = fakePodToken({ namespace: 'shop', serviceAccount: 'web', audience: 'vault' });
  const secrets = JSON.stringify({ clientid: 'app', clientsecret: 'shh', [DRIVER_KEYS.tokens]: tokensAttribute([{ audience: 'vault', token }]) });
  t.deepEqual({ ...decodeRequest(request({ secrets })).secrets }, { clientid: 'app', clientsecret: 'shh' });
  t.deepEqual({ ...decodeRequest(request({ secrets: 'null' })).secrets }, {});
});

test('keeps a token without an expiry with an empty timestamp', (t) => {
  const attributes = JSON.stringify({ [DRIVER_KEYS.tokens]: JSON.stringify({ vault: { token: 'a.b.c' } }) });
  t.deepEqual(decodeRequest(request({ attributes })).tokens.get('vault'), { audience: 'vault', token: 'a.b.c', expirationTimestamp: '' });
});

test('empty attributes', rejects, { attributes: '' }, 'attributes: is empty; expected a JSON object of strings');
test('attributes that are null', rejects, { attributes: 'null' }, 'attributes: must be a JSON object of strings');
test('attributes that are not JSON', rejects, { attributes: `{"objects": "${SECRET_LOOKING}"` }, 'attributes: is not valid JSON');
test('attributes that are a list', rejects, { attributes: `["${SECRET_LOOKING}"]` }, 'attributes: must be a JSON object of strings');
test('attributes that are a string', rejects, { attributes: `"${SECRET_LOOKING}"` }, 'attributes: must be a JSON object of strings');
test('an attribute whose value is an object', rejects, { attributes: `{"objects": {"x": "${SECRET_LOOKING}"}}` }, 'attributes: key "objects" must have a string value');
test('an attribute whose value is a number', rejects, { attributes: '{"replicas": 3}' }, 'attributes: key "replicas" must have a string value');
test('secrets that are not JSON', rejects, { secrets: `{"password": "${SECRET_LOOKING}"` }, 'secrets: is not valid JSON');
test('secrets that are a list', rejects, { secrets: `[{"password": "${SECRET_LOOKING}"}]` }, 'secrets: must be a JSON object of strings');
test('a secret whose value is a number', rejects, { secrets: '{"password": 42}' }, 'secrets: key "password" must have a string value');
test('a secret whose value is a list', rejects, { secrets: `{"password": ["${SECRET_LOOKING}"]}` }, 'secrets: key "password" must have a string value');
test(
  'a token attribute that is not JSON',
  rejects,
  { attributes: JSON.stringify({ [DRIVER_KEYS.tokens]: `{"vault": {"token": "${SECRET_LOOKING}"` }) },
  'attributes["csi.storage.k8s.io/serviceAccount.tokens"]: is not valid JSON',
);
test(
  'a token entry in the secrets that is a list',
  rejects,
  { secrets: JSON.stringify({ [DRIVER_KEYS.tokens]: `["${SECRET_LOOKING}"]` }) },
  'secrets["csi.storage.k8s.io/serviceAccount.tokens"]: must be a JSON object keyed by audience',
);
test(
  'a token entry with an empty token',
  rejects,
  { attributes: JSON.stringify({ [DRIVER_KEYS.tokens]: '{"vault": {"token": ""}}' }) },
  'attributes["csi.storage.k8s.io/serviceAccount.tokens"]: audience "vault" has no token',
);
test(
  'a token entry that is null',
  rejects,
  { attributes: JSON.stringify({ [DRIVER_KEYS.tokens]: '{"vault": null}' }) },
  'attributes["csi.storage.k8s.io/serviceAccount.tokens"]: audience "vault" has no token',
);
test(
  'a token entry whose token is an object',
  rejects,
  { attributes: JSON.stringify({ [DRIVER_KEYS.tokens]: `{"vault": {"token": {"raw": "${SECRET_LOOKING}"}}}` }) },
  'attributes["csi.storage.k8s.io/serviceAccount.tokens"]: audience "vault" has no token',
);
test('a permission that is not a number', rejects, { permission: 'abc' }, 'permission: "abc" is not a decimal file mode');
test('a permission above 0777', rejects, { permission: '9999' }, 'permission: 9999 (023417) is more than 0777');

const permission = test.macro({
  exec(t, text: string, mode: number) {
    t.is(parsePermission(text), mode);
  },
  title: (_given, text: string, mode: number) => `reads permission ${JSON.stringify(text)} as 0${mode.toString(8).padStart(3, '0')}`,
});

test(permission, '420', 0o644);
test(permission, '', DEFAULT_PERMISSION);
test(permission, '256', 0o400);
test(permission, '0', 0);
test(permission, '511', 0o777);

const badPermission = test.macro({
  exec(t, text: string, message: string) {
    const error = t.throws(() => parsePermission(text), { instanceOf: ConfigError });
    t.is(error?.message, message);
    t.is(error?.field, 'permission');
  },
  title: (_given, text: string) => `refuses permission ${JSON.stringify(text)}`,
});

test(badPermission, '512', 'permission: 512 (01000) is more than 0777');
test(badPermission, '-1', 'permission: "-1" is not a decimal file mode');
test(badPermission, '12345', 'permission: "12345" is not a decimal file mode');
test(badPermission, '0x1a4', 'permission: "0x1a4" is not a decimal file mode');
test(badPermission, ' 420', 'permission: " 420" is not a decimal file mode');

test('decodes any input or throws a ConfigError (or, for tokens in two places, an AuthError) that quotes no value', (t) => {
  const value = fc.oneof(fc.string({ minLength: 6, maxLength: 20 }), fc.integer(), fc.constant(null), fc.array(fc.string({ minLength: 6, maxLength: 10 }), { maxLength: 2 }));
  const map = fc.dictionary(fc.constantFrom('objects', 'a', DRIVER_KEYS.tokens, DRIVER_KEYS.podName), value, { maxKeys: 4 });
  const text = fc.oneof(map.map((entries) => JSON.stringify(entries)), fc.string({ maxLength: 30 }), fc.constantFrom('', 'null', '{}', '[]'));
  fc.assert(
    fc.property(text, text, fc.oneof(fc.constantFrom('420', '', '511', '512'), fc.string({ maxLength: 5 })), (attributes, secrets, permission) => {
      try {
        decodeRequest({ attributes, secrets, permission, targetPath: '/t' });
        return true;
      } catch (error) {
        if (!(error instanceof ConfigError) && !(error instanceof AuthError)) return false;
        const values = [...`${attributes}\n${secrets}`.matchAll(/"([^"\\]{6,})"/g)].map((match) => match[1] ?? '');
        const keys = new Set<string>(['objects', DRIVER_KEYS.tokens, DRIVER_KEYS.podName]);
        return values.every((quoted) => keys.has(quoted) || !error.message.includes(quoted));
      }
    }),
    { numRuns: 500 },
  );
  t.pass();
});

test('accepts the same tokens in both places', (t) => {
  const token = fakePodToken({ namespace: 'shop', serviceAccount: 'web', audience: 'vault' });
  const value = tokensAttribute([{ audience: 'vault', token }]);
  const tokens = decodeRequest(request({ attributes: JSON.stringify({ ...POD_ATTRIBUTES, [DRIVER_KEYS.tokens]: value }), secrets: JSON.stringify({ [DRIVER_KEYS.tokens]: value }) })).tokens;
  t.is(tokens.get('vault')?.token, token);
});

test('refuses tokens in the attributes that differ from those in the secrets (one place was written by the pod)', (t) => {
  const raw = {
    attributes: JSON.stringify({ [DRIVER_KEYS.tokens]: tokensAttribute([{ audience: 'vault', token: fakePodToken({ namespace: 'shop', serviceAccount: 'admin', audience: 'vault' }) }]) }),
    secrets: JSON.stringify({ [DRIVER_KEYS.tokens]: tokensAttribute([{ audience: 'vault', token: fakePodToken({ namespace: 'shop', serviceAccount: 'web', audience: 'vault' }) }]) }),
  };
  const error = t.throws(() => decodeRequest(request(raw)), { instanceOf: AuthError });
  t.is(error?.message, 'attributes["csi.storage.k8s.io/serviceAccount.tokens"]: service-account tokens arrived both in the volume attributes and in the secrets, and they differ; kubelet fills only one of them, so the other was written by the pod: remove "csi.storage.k8s.io/serviceAccount.tokens" from the pod\'s volumeAttributes or its nodePublishSecretRef Secret');
});

test('a "__proto__" or "constructor" key is a parameter like any other, and changes no object\'s prototype', (t) => {
  const decoded = decodeRequest(request({ attributes: '{"__proto__":"x","constructor":"y","objects":"- source: file:a"}', secrets: '{"__proto__":"z"}' }));
  t.deepEqual(Object.keys(decoded.parameters).sort(), ['__proto__', 'constructor', 'objects']);
  t.is(decoded.parameters['__proto__'], 'x');
  t.is(Object.getPrototypeOf(decoded.parameters), null);
  t.is(decoded.secrets?.['__proto__'], 'z');
  t.is(({} as Record<string, unknown>)['x'], undefined);
});
