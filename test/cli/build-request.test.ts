import test from 'ava';
import { buildMountRequest } from '../../src/cli/build-request.ts';
import { decodeRequest } from '../../src/spc/decode-request.ts';
import { fakePodToken } from '../helpers/pod-token.ts';

const spc = { document: 1, name: 'app', provider: 'courier', parameters: { objects: '- source: file:a' } };
const pod = (tokens: ReadonlyMap<string, string>) => ({ namespace: 'team-a', podName: 'web-0', serviceAccount: 'web', tokens, permission: 0o640, targetPath: '/tmp/t' });

test('builds the request the driver would send, tokens in attributes with the JWT expiry', (t) => {
  const jwt = fakePodToken({ namespace: 'team-a', serviceAccount: 'web', audience: 'sts.amazonaws.com', expiresIn: 600 });
  const exp = JSON.parse(Buffer.from(jwt.split('.')[1] as string, 'base64url').toString()) as { exp: number };
  const decoded = decodeRequest(buildMountRequest(spc, pod(new Map([['sts.amazonaws.com', jwt]]))));
  t.deepEqual([decoded.pod.namespace, decoded.pod.serviceAccount, decoded.pod.name], ['team-a', 'web', 'web-0']);
  t.is(decoded.secretProviderClass, 'app');
  t.is(decoded.permission, 0o640);
  t.is(decoded.parameters['objects'], '- source: file:a');
  t.deepEqual(decoded.tokens.get('sts.amazonaws.com'), { audience: 'sts.amazonaws.com', token: jwt, expirationTimestamp: new Date(exp.exp * 1000).toISOString() });
});

test('a token that is not a JWT is sent with an expiry one hour from now', (t) => {
  const before = Date.now();
  const decoded = decodeRequest(buildMountRequest(spc, pod(new Map([['vault', 'opaque-token']]))));
  const expiry = Date.parse(decoded.tokens.get('vault')?.expirationTimestamp ?? '');
  t.true(expiry >= before + 3_600_000 - 1_000 && expiry <= Date.now() + 3_600_000 + 1_000);
});

test('without tokens the request carries no token attribute', (t) => {
  t.is(decodeRequest(buildMountRequest(spc, pod(new Map()))).tokens.size, 0);
});
