import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import type { CredentialExchange } from '../../../src/stores/aws/exchange.ts';
import { sdkExchange } from '../../../src/stores/aws/exchange.ts';
import { AwsIdentityResolver, IRSA_AUDIENCE, POD_IDENTITY_AGENT, POD_IDENTITY_AUDIENCE, ROLE_ANNOTATION } from '../../../src/stores/aws/identity.ts';
import type { ServiceAccountToken, TokenMap } from '../../../src/spc/types.ts';
import { fakePodToken } from '../../helpers/pod-token.ts';

const POD = { name: 'web-0', namespace: 'team-a', uid: 'uid-1', serviceAccount: 'app' };
const ROLE = 'arn:aws:iam::123456789012:role/app';
const IRSA = { usePodIdentity: false, preferredAddressType: 'auto', store: 'aws-sm' } as const;
const POD_IDENTITY = { usePodIdentity: true, preferredAddressType: 'auto', store: 'aws-sm' } as const;

function tokensFor(...audiences: string[]): TokenMap {
  return new Map(audiences.map((audience): [string, ServiceAccountToken] => [audience, { audience, token: fakePodToken({ namespace: POD.namespace, serviceAccount: POD.serviceAccount, audience }), expirationTimestamp: '' }]));
}

function credentials(hours = 1) {
  return { accessKeyId: 'AKID', secretAccessKey: 's', sessionToken: 't', expiration: new Date(Date.now() + hours * 3_600_000) };
}

function resolverWith(exchange: Partial<CredentialExchange>, annotations: Record<string, string> = { [ROLE_ANNOTATION]: ROLE }, podIdentityAgentUrl?: string) {
  const calls: string[] = [];
  const full: CredentialExchange = {
    webIdentity: async (input) => {
      calls.push(`sts ${input.roleArn} ${input.region} ${input.sessionName}`);
      return exchange.webIdentity ? exchange.webIdentity(input) : credentials();
    },
    podIdentity: async (input) => {
      calls.push(`agent ${input.url}`);
      return exchange.podIdentity ? exchange.podIdentity(input) : credentials();
    },
  };
  const resolver = new AwsIdentityResolver({ serviceAccounts: { annotations: () => Promise.resolve(annotations) }, exchange: full, ...(podIdentityAgentUrl === undefined ? {} : { podIdentityAgentUrl }) });
  return { resolver, calls };
}

test('assumes the role named by the service account with the pod\'s sts.amazonaws.com token', async (t) => {
  const { resolver, calls } = resolverWith({});
  const identity = await resolver.resolve(IRSA, POD, tokensFor(IRSA_AUDIENCE));
  t.is(identity.key, 'irsa|team-a/app|arn:aws:iam::123456789012:role/app');
  t.is(identity.who, 'role arn:aws:iam::123456789012:role/app (IRSA for team-a/app)');
  await identity.credentials('us-east-1');
  t.deepEqual(calls, ['sts arn:aws:iam::123456789012:role/app us-east-1 courier-team-a-app']);
});

test('exchanges once per identity and region, also for concurrent and later pods', async (t) => {
  const { resolver, calls } = resolverWith({});
  const identities = await Promise.all([1, 2, 3].map(() => resolver.resolve(IRSA, POD, tokensFor(IRSA_AUDIENCE))));
  await Promise.all(identities.map((identity) => identity.credentials('us-east-1')));
  await (await resolver.resolve(IRSA, POD, tokensFor(IRSA_AUDIENCE))).credentials('us-east-1');
  await identities[0]?.credentials('us-west-2');
  t.deepEqual(calls, ['sts arn:aws:iam::123456789012:role/app us-east-1 courier-team-a-app', 'sts arn:aws:iam::123456789012:role/app us-west-2 courier-team-a-app']);
});

test('does not cache a failed exchange', async (t) => {
  let fail = true;
  const { resolver, calls } = resolverWith({
    webIdentity: () => (fail ? Promise.reject(Object.assign(new Error('down'), { name: 'InternalFailure', $metadata: { httpStatusCode: 500 } })) : Promise.resolve(credentials())),
  });
  const identity = await resolver.resolve(IRSA, POD, tokensFor(IRSA_AUDIENCE));
  const error = await t.throwsAsync(identity.credentials('us-east-1'));
  t.is(error?.message, 'AWS STS in us-east-1 failed for AssumeRoleWithWebIdentity for role arn:aws:iam::123456789012:role/app (InternalFailure, HTTP 500); try again later');
  fail = false;
  await identity.credentials('us-east-1');
  t.is(calls.length, 2);
});

test('reports a token STS refuses as UNAUTHENTICATED naming the trust policy', async (t) => {
  const { resolver } = resolverWith({ webIdentity: () => Promise.reject(Object.assign(new Error('bad'), { name: 'InvalidIdentityTokenException', $metadata: { httpStatusCode: 400 } })) });
  const identity = await resolver.resolve(IRSA, POD, tokensFor(IRSA_AUDIENCE));
  const error = await t.throwsAsync(identity.credentials('us-east-1'));
  t.is(error?.name, 'AuthError');
  t.is(
    error?.message,
    'AWS STS in us-east-1 refused AssumeRoleWithWebIdentity for role arn:aws:iam::123456789012:role/app with the token of team-a/app (InvalidIdentityTokenException); check that the role\'s trust policy names the cluster\'s OIDC provider and allows system:serviceaccount:team-a:app',
  );
});

test('refuses a service account without the role annotation, naming it', async (t) => {
  const { resolver } = resolverWith({}, {});
  const error = await t.throwsAsync(resolver.resolve(IRSA, POD, tokensFor(IRSA_AUDIENCE)));
  t.is(error?.name, 'AuthError');
  t.is(error?.message, 'service account team-a/app has no "eks.amazonaws.com/role-arn" annotation, so aws-sm has no IAM role to assume for it; annotate the service account with the role (IRSA) or set usePodIdentity: "true" to use EKS Pod Identity');
});

test('refuses a role annotation that is not a role ARN', async (t) => {
  const { resolver } = resolverWith({}, { [ROLE_ANNOTATION]: 'admin' });
  const error = await t.throwsAsync(resolver.resolve(IRSA, POD, tokensFor(IRSA_AUDIENCE)));
  t.is(error?.message, 'service account team-a/app has annotation "eks.amazonaws.com/role-arn" = "admin", which is not an IAM role ARN');
});

test('asks for the sts.amazonaws.com audience in tokenRequests when the token is missing', async (t) => {
  const { resolver } = resolverWith({});
  const error = await t.throwsAsync(resolver.resolve(IRSA, POD, new Map()));
  t.is(error?.message, 'aws-sm needs the pod\'s service-account token for audience "sts.amazonaws.com", but the request carried no service-account tokens; add {audience: "sts.amazonaws.com"} to tokenRequests of the secrets-store.csi.k8s.io CSIDriver');
});

test('asks for the pods.eks.amazonaws.com audience for Pod Identity', async (t) => {
  const { resolver } = resolverWith({});
  const error = await t.throwsAsync(resolver.resolve(POD_IDENTITY, POD, tokensFor(IRSA_AUDIENCE)));
  t.is(error?.message, 'aws-sm needs the pod\'s service-account token for audience "pods.eks.amazonaws.com", but the request has tokens for "sts.amazonaws.com"; add {audience: "pods.eks.amazonaws.com"} to tokenRequests of the secrets-store.csi.k8s.io CSIDriver');
});

const agentOrder = test.macro({
  async exec(t, preferredAddressType: 'auto' | 'ipv4' | 'ipv6', expected: readonly string[]) {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const { resolver, calls } = resolverWith({ podIdentity: ({ url }) => (url === POD_IDENTITY_AGENT.ipv4 ? Promise.reject(refused) : Promise.resolve(credentials())) });
    const identity = await resolver.resolve({ ...POD_IDENTITY, preferredAddressType }, POD, tokensFor(POD_IDENTITY_AUDIENCE));
    await identity.credentials('us-east-1').catch(() => undefined);
    t.deepEqual(calls, expected);
  },
  title: (given) => given ?? '',
});

test('tries the agent over IPv4, then IPv6, for preferredAddressType auto', agentOrder, 'auto', ['agent http://169.254.170.23/v1/credentials', 'agent http://[fd00:ec2::23]/v1/credentials']);
test('uses only the IPv4 agent address for ipv4', agentOrder, 'ipv4', ['agent http://169.254.170.23/v1/credentials']);
test('uses only the IPv6 agent address for ipv6', agentOrder, 'ipv6', ['agent http://[fd00:ec2::23]/v1/credentials']);

/** A fake EKS Pod Identity agent on loopback: answers with `status` and records request headers. */
async function fakeAgent(t: ExecutionContext, status: number) {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((request, response) => {
    seen.push(request.headers);
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(status === 200 ? JSON.stringify({ AccessKeyId: 'AKID', SecretAccessKey: 's', Token: 't', Expiration: new Date(Date.now() + 3_600_000).toISOString() }) : JSON.stringify({ Code: 'AccessDeniedException', Message: 'no association' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/credentials`, seen };
}

test.serial('sends the pod\'s token, not courier\'s own, to the Pod Identity agent through the SDK', async (t) => {
  const agent = await fakeAgent(t, 200);
  const directory = await mkdtemp(join(tmpdir(), 'courier-own-token-'));
  t.teardown(() => rm(directory, { recursive: true, force: true }));
  await writeFile(join(directory, 'token'), 'courier-own-token');
  // What EKS Pod Identity sets in Courier's own container; the SDK would prefer it if asked to.
  process.env['AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE'] = join(directory, 'token');
  t.teardown(() => delete process.env['AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE']);
  const tokens = tokensFor(POD_IDENTITY_AUDIENCE);
  const resolver = new AwsIdentityResolver({ serviceAccounts: { annotations: () => Promise.resolve({}) }, exchange: sdkExchange({ maxAttempts: 1, timeoutMs: 1_000 }), podIdentityAgentUrl: agent.url });
  const identity = await resolver.resolve(POD_IDENTITY, POD, tokens);
  const result = await identity.credentials('us-east-1');
  t.is(result.accessKeyId, 'AKID');
  t.deepEqual(agent.seen.map((headers) => headers.authorization), [tokens.get(POD_IDENTITY_AUDIENCE)?.token]);
});

test.serial('reports an agent refusal as UNAUTHENTICATED naming the association', async (t) => {
  const agent = await fakeAgent(t, 403);
  const resolver = new AwsIdentityResolver({ serviceAccounts: { annotations: () => Promise.resolve({}) }, exchange: sdkExchange({ maxAttempts: 1, timeoutMs: 1_000 }), podIdentityAgentUrl: agent.url });
  const identity = await resolver.resolve(POD_IDENTITY, POD, tokensFor(POD_IDENTITY_AUDIENCE));
  const error = await t.throwsAsync(identity.credentials('us-east-1'));
  t.is(error?.name, 'AuthError');
  t.is(error?.message, `the EKS Pod Identity agent at ${agent.url} refused the token of team-a/app (HTTP 403); create a Pod Identity association for this namespace and service account, or drop usePodIdentity to use IRSA`);
});
