import test from 'ava';
import { ConfigError } from '../../src/errors/courier-error.ts';
import { buildMirrorSecrets, MAX_MIRROR_BYTES } from '../../src/kube/mirror-content.ts';
import type { MountFile } from '../../src/output/assemble.ts';
import type { MirrorSpec, MirrorType } from '../../src/spc/mirror-types.ts';

/** A PEM block; the body only has to look like base64, nothing here parses X.509. */
function pem(label: string, body = 'TUlJQmZha2Vib2R5'): string {
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----`;
}

const LEAF = pem('CERTIFICATE', 'bGVhZg==');
const INTERMEDIATE = pem('CERTIFICATE', 'aW50ZXJtZWRpYXRl');
const KEY = pem('PRIVATE KEY', 'a2V5');

function file(path: string, text: string | Buffer): MountFile {
  return { path, mode: 0o644, contents: typeof text === 'string' ? Buffer.from(text) : text };
}

function spec(type: MirrorType, data: Array<[objectName: string, key: string]>): MirrorSpec {
  return {
    field: 'mirror[0]',
    secretName: 'mirrored',
    type,
    labels: {},
    annotations: {},
    data: data.map(([objectName, key], index) => ({ field: `mirror[0].data[${index}]`, objectName, key })),
  };
}

function text(value: Buffer | undefined): string {
  return value?.toString('utf8') ?? '<missing>';
}

test('an Opaque Secret takes each file as it is', (t) => {
  const [secret] = buildMirrorSecrets([spec('Opaque', [['db.json', 'creds']])], [file('db.json', '{"user":"app"}')]);
  t.is(text(secret?.data['creds']), '{"user":"app"}');
  t.is(secret?.name, 'mirrored');
});

test('a combined PEM file is split into the certificate chain and the private key', (t) => {
  const bundle = `${LEAF}\n${KEY}\n${INTERMEDIATE}\n`;
  const [secret] = buildMirrorSecrets([spec('kubernetes.io/tls', [['tls.pem', 'tls.crt'], ['tls.pem', 'tls.key']])], [file('tls.pem', bundle)]);
  t.is(text(secret?.data['tls.crt']), `${LEAF}\n${INTERMEDIATE}\n`);
  t.is(text(secret?.data['tls.key']), `${KEY}\n`);
});

test('separate certificate and key files feed a tls Secret, CRLF line ends normalised', (t) => {
  const files = [file('cert.pem', `${LEAF}\r\n`.replace(/\n/g, '\r\n')), file('key.pem', pem('EC PRIVATE KEY'))];
  const [secret] = buildMirrorSecrets([spec('kubernetes.io/tls', [['cert.pem', 'tls.crt'], ['key.pem', 'tls.key']])], files);
  t.is(text(secret?.data['tls.crt']), `${LEAF}\n`);
  t.is(text(secret?.data['tls.key']), `${pem('EC PRIVATE KEY')}\n`);
});

test('extra keys of a tls Secret are taken as they are', (t) => {
  const [secret] = buildMirrorSecrets([spec('kubernetes.io/tls', [['tls.pem', 'tls.crt'], ['tls.pem', 'tls.key'], ['ca.pem', 'ca.crt']])], [file('tls.pem', `${LEAF}\n${KEY}`), file('ca.pem', 'CA')]);
  t.is(text(secret?.data['ca.crt']), 'CA');
});

test('a valid dockerconfigjson, basic-auth and ssh-auth Secret build', (t) => {
  const secrets = buildMirrorSecrets(
    [
      { ...spec('kubernetes.io/dockerconfigjson', [['pull.json', '.dockerconfigjson']]), secretName: 'pull' },
      { ...spec('kubernetes.io/basic-auth', [['user', 'username'], ['pass', 'password']]), secretName: 'basic' },
      { ...spec('kubernetes.io/ssh-auth', [['id', 'ssh-privatekey']]), secretName: 'ssh' },
    ],
    [file('pull.json', '{"auths":{"registry.example.com":{"auth":"eDp5"}}}'), file('user', 'app'), file('pass', 'pw'), file('id', pem('OPENSSH PRIVATE KEY'))],
  );
  t.deepEqual(
    secrets.map((secret) => [secret.name, Object.keys(secret.data)]),
    [
      ['pull', ['.dockerconfigjson']],
      ['basic', ['username', 'password']],
      ['ssh', ['ssh-privatekey']],
    ],
  );
});

const refuses = test.macro({
  exec(t, mirror: MirrorSpec, files: MountFile[], message: string) {
    const error = t.throws(() => buildMirrorSecrets([mirror], files), { instanceOf: ConfigError });
    t.is(error.message, message);
  },
  title: (given) => `refuses ${given ?? ''}`,
});

test('a tls.crt file without a certificate', refuses, spec('kubernetes.io/tls', [['key.pem', 'tls.crt'], ['key.pem', 'tls.key']]), [file('key.pem', KEY)],
  'mirror[0].data[0].objectName: "key.pem" holds no PEM CERTIFICATE block, which tls.crt of a kubernetes.io/tls Secret needs');
test('a tls.key file without a private key', refuses, spec('kubernetes.io/tls', [['cert.pem', 'tls.crt'], ['cert.pem', 'tls.key']]), [file('cert.pem', LEAF)],
  'mirror[0].data[1].objectName: "cert.pem" holds no PEM private key, which tls.key of a kubernetes.io/tls Secret needs');
test('a tls.key file with two private keys', refuses, spec('kubernetes.io/tls', [['both.pem', 'tls.crt'], ['both.pem', 'tls.key']]), [file('both.pem', `${LEAF}\n${KEY}\n${KEY}`)],
  'mirror[0].data[1].objectName: "both.pem" holds 2 private keys; tls.key of a kubernetes.io/tls Secret needs exactly one');
test('an encrypted tls key', refuses, spec('kubernetes.io/tls', [['enc.pem', 'tls.crt'], ['enc.pem', 'tls.key']]), [file('enc.pem', `${LEAF}\n${pem('ENCRYPTED PRIVATE KEY')}`)],
  'mirror[0].data[1].objectName: "enc.pem" holds an encrypted private key; tls.key of a kubernetes.io/tls Secret needs an unencrypted one');
test('a dockerconfigjson that is not JSON', refuses, spec('kubernetes.io/dockerconfigjson', [['pull.json', '.dockerconfigjson']]), [file('pull.json', 'auths: {}')],
  'mirror[0].data[0].objectName: "pull.json" is not valid JSON, which .dockerconfigjson of a kubernetes.io/dockerconfigjson Secret must be');
test('a dockerconfigjson without auths', refuses, spec('kubernetes.io/dockerconfigjson', [['pull.json', '.dockerconfigjson']]), [file('pull.json', '{"credsStore":"x"}')],
  'mirror[0].data[0].objectName: "pull.json" has no "auths" object, which .dockerconfigjson of a kubernetes.io/dockerconfigjson Secret needs');
test('an ssh-privatekey that holds no private key', refuses, spec('kubernetes.io/ssh-auth', [['id.pub', 'ssh-privatekey']]), [file('id.pub', 'ssh-ed25519 AAAA user@host')],
  'mirror[0].data[0].objectName: "id.pub" holds no PEM private key, which ssh-privatekey of a kubernetes.io/ssh-auth Secret needs');
test('a file missing from the mount', refuses, spec('Opaque', [['gone.txt', 'a']]), [], 'mirror[0].data[0].objectName: "gone.txt" is not a file of this mount');
test('a Secret over 1 MiB', refuses, spec('Opaque', [['big.bin', 'a'], ['big.bin', 'b']]), [file('big.bin', Buffer.alloc(MAX_MIRROR_BYTES / 2 + 1))],
  'mirror[0]: Secret "mirrored" would hold 1048578 bytes of data, over Kubernetes\' 1 MiB (1048576 bytes) limit for a Secret; mirror fewer files');

test('a Secret of exactly 1 MiB is accepted', (t) => {
  const [secret] = buildMirrorSecrets([spec('Opaque', [['big.bin', 'a']])], [file('big.bin', Buffer.alloc(MAX_MIRROR_BYTES))]);
  t.is(secret?.data['a']?.byteLength, MAX_MIRROR_BYTES);
});

test('no error message quotes a file\'s contents', (t) => {
  const secretText = 'hunter2-not-a-certificate';
  const error = t.throws(() => buildMirrorSecrets([spec('kubernetes.io/tls', [['x', 'tls.crt'], ['x', 'tls.key']])], [file('x', secretText)]));
  t.false(error.message.includes(secretText));
});
