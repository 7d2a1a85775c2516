import test, { type ExecutionContext } from 'ava';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { tempDir } from '../helpers/temp-dir.ts';
import { startAwsProxy, type AwsProxy } from '../e2e/moto/aws-proxy.ts';
import { startMoto, type MotoServer } from '../e2e/moto/moto-server.ts';
import { startInstalledCourier } from './harness/courier.ts';
import { createNamespace, createServiceAccount, deletePod, requestToken } from './harness/kube-objects.ts';
import { kubeletVolumeContext, nodePublish, type CsiResult } from './harness/kubelet.ts';
import { applySpc, startPod } from './harness/pods.ts';
import { useStack, type Stack, AUDIENCES } from './harness/stack.ts';
import { nowSeconds, resign, strangerKey } from './harness/tokens.ts';

// Item 2 of the cluster tier: Courier checks `exp`, `aud` against the audience a token arrived under, and
// with --verify-tokens the signature, against the issuer's keys (the API server's /openid/v1/jwks) or
// with TokenReview (docs/security.md).
//
// The store is AWS against moto, which (unlike real STS) checks neither signature, expiry nor audience:
// a token Courier lets through mounts. "Refused by Courier" is asserted as: the Mount failed and no
// AssumeRoleWithWebIdentity reached the STS endpoint.
const JWKS_VERIFICATION = ['--verify-tokens', 'jwks'];
const TOKEN_REVIEW = ['--verify-tokens', 'tokenreview'];

const NS = 'verification';
const PROVIDER = 'courier-verify';
const ROLE = 'arn:aws:iam::123456789012:role/verified';
const OBJECTS = '- {source: "aws-sm:verified", path: value}';
const TOKENS = 'csi.storage.k8s.io/serviceAccount.tokens';

let stack: Stack;
let moto: MotoServer | undefined;
let proxy: AwsProxy | undefined;

test.before(async () => {
  stack = await useStack();
  moto = await startMoto();
  proxy = await startAwsProxy(moto.url);
  await new SecretsManagerClient({ region: 'eu-west-1', endpoint: moto.url, credentials: { accessKeyId: 'seed', secretAccessKey: 'seed' } }).send(new CreateSecretCommand({ Name: 'verified', SecretString: 'verified-value' }));
  await createNamespace(stack.admin, NS);
  await createServiceAccount(stack.admin, NS, 'web', { 'eks.amazonaws.com/role-arn': ROLE });
  await applySpc(stack, { namespace: NS, name: 'aws', provider: PROVIDER, parameters: { objects: OBJECTS } });
});

test.after.always(async () => {
  await stack?.stop();
  await proxy?.close();
  await moto?.close();
});

async function startCourier(t: ExecutionContext, extraArgs: readonly string[] = []): Promise<void> {
  // TokenReview needs `create tokenreviews`, which only the token-review component grants.
  const manifests = extraArgs.includes('tokenreview') ? { kustomize: 'manifests/overlays/token-review' as const } : { kustomize: 'manifests/base' as const };
  await startInstalledCourier(t, stack, {
    manifests,
    providerName: PROVIDER, kubeconfigDir: await tempDir(t), args: ['--aws-region', 'eu-west-1', ...extraArgs],
    env: { AWS_ENDPOINT_URL: proxy?.url ?? '', AWS_ACCESS_KEY_ID: 'AKIACOURIEROWNKEY000', AWS_SECRET_ACCESS_KEY: 'own' },
  });
}

/**
 * Kubelet's publish, with the pod's STS-audience token (real, from the TokenRequest API, bound to the pod)
 * replaced by `swap(token)` just before NodePublishVolume.
 */
async function publishSwapped(t: ExecutionContext, name: string, swap: (token: string) => Promise<string>): Promise<{ result: CsiResult; stsCalls: number }> {
  const volume = await startPod(t, stack, { namespace: NS, name, serviceAccount: 'web', secretProviderClass: 'aws' });
  const context = await kubeletVolumeContext(stack.admin, volume);
  const tokens = JSON.parse(context[TOKENS] ?? '{}') as Record<string, { token: string; expirationTimestamp: string }>;
  const real = tokens[AUDIENCES.aws];
  if (!real) throw new Error(`the CSIDriver requested no token for ${AUDIENCES.aws}`);
  context[TOKENS] = JSON.stringify({ ...tokens, [AUDIENCES.aws]: { ...real, token: await swap(real.token) } });
  const before = proxy?.count('AssumeRoleWithWebIdentity') ?? 0;
  const result = await nodePublish(stack.node, volume, context);
  return { result, stsCalls: (proxy?.count('AssumeRoleWithWebIdentity') ?? 0) - before };
}

test('an expired token signed with the API server\'s own key is refused before anything is fetched', async (t) => {
  await startCourier(t);
  const { result, stsCalls } = await publishSwapped(t, 'expired-0', (token) => resign(token, stack.serviceAccountKeyPem, { exp: nowSeconds() - 60, iat: nowSeconds() - 3660, nbf: nowSeconds() - 3660 }));
  t.false(result.ok, 'the expired token mounted');
  t.regex(result.error, /desc = objects\[0\]: .*expired/);
  t.is(stsCalls, 0);
});

test('a real token for another audience, delivered under the STS audience, is refused', async (t) => {
  await startCourier(t);
  const { result, stsCalls } = await publishSwapped(t, 'audience-0', async () => (await requestToken(stack.admin, NS, 'web', { audiences: ['api://someone-else'] })).token);
  t.false(result.ok, 'the token for api://someone-else mounted');
  t.regex(result.error, new RegExp(`desc = objects\\[0\\]: .*audience.*${AUDIENCES.aws.replaceAll('.', '\\.')}`));
  t.is(stsCalls, 0);
});

test('with signature verification on, real tokens are still accepted', async (t) => {
  await startCourier(t, JWKS_VERIFICATION);
  const { result, stsCalls } = await publishSwapped(t, 'verified-0', (token) => Promise.resolve(token));
  t.true(result.ok, result.error);
  t.is(stsCalls, 1);
});

test('with signature verification on, a token signed by another key is refused', async (t) => {
  await startCourier(t, JWKS_VERIFICATION);
  const { result, stsCalls } = await publishSwapped(t, 'forged-0', (token) => resign(token, strangerKey(), {}, stack.serviceAccountKeyPem));
  t.false(result.ok, 'the forged token mounted');
  t.regex(result.error, /desc = objects\[0\]: .*does not verify against the cluster's signing keys/);
  t.is(stsCalls, 0);
});

test('with TokenReview verification on, the token of a pod that was deleted is refused', async (t) => {
  await startCourier(t, TOKEN_REVIEW);
  const { result, stsCalls } = await publishSwapped(t, 'deleted-0', async (token) => {
    // Deleted before its token is first reviewed: the API server caches successful reviews for about 10 s.
    await deletePod(stack.admin, NS, 'deleted-0');
    return token;
  });
  t.false(result.ok, 'the deleted pod\'s token mounted');
  t.is(stsCalls, 0);
});
