import test from 'ava';
import { mockClient } from 'aws-sdk-client-mock';
import { BatchGetSecretValueCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { awsError, awsStores, describeResults, irsaContext, request } from './aws-fixture.ts';

const mock = mockClient(SecretsManagerClient);
test.beforeEach(() => mock.reset());

async function regionOf(getClient: () => SecretsManagerClient): Promise<string> {
  return getClient().config.region();
}

test.serial('fetches unpinned secrets in one BatchGetSecretValue and maps answers by name or ARN', async (t) => {
  mock.on(BatchGetSecretValueCommand).resolves({
    SecretValues: [
      { Name: 'db', ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbC', SecretString: 'pw', VersionId: 'v-db' },
      { Name: 'cert', ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:cert-XyZ', SecretBinary: new Uint8Array([104, 105]), VersionId: 'v-cert' },
    ],
    Errors: [{ SecretId: 'gone', ErrorCode: 'ResourceNotFoundException', Message: 'not found' }],
  });
  const { sm } = awsStores();
  const results = await sm.fetch([request('db'), request('arn:aws:secretsmanager:us-east-1:123456789012:secret:cert-XyZ'), request('gone')], irsaContext());
  t.deepEqual(describeResults(results), ['ok pw v-db', 'ok hi v-cert', 'NotFoundError secret "gone" does not exist in us-east-1 (ResourceNotFoundException)']);
  t.deepEqual(mock.commandCalls(BatchGetSecretValueCommand).map((call) => call.args[0].input.SecretIdList), [['db', 'arn:aws:secretsmanager:us-east-1:123456789012:secret:cert-XyZ', 'gone']]);
  t.is(mock.commandCalls(GetSecretValueCommand).length, 0);
});

test.serial('fetches pinned versions and stages with GetSecretValue', async (t) => {
  mock.on(GetSecretValueCommand).callsFake((input: { SecretId: string; VersionId?: string; VersionStage?: string }) => ({ SecretString: `${input.SecretId}:${input.VersionId ?? input.VersionStage}`, VersionId: input.VersionId ?? 'v-prev' }));
  const { sm } = awsStores();
  const results = await sm.fetch([request('db', { version: 'v-1' }), request('db', { stage: 'AWSPREVIOUS' })], irsaContext());
  t.deepEqual(describeResults(results), ['ok db:v-1 v-1', 'ok db:AWSPREVIOUS v-prev']);
  t.is(mock.commandCalls(BatchGetSecretValueCommand).length, 0);
});

test.serial('uses GetSecretValue for a single unpinned secret', async (t) => {
  mock.on(GetSecretValueCommand).resolves({ SecretString: 'one', VersionId: 'v1' });
  const { sm } = awsStores();
  t.deepEqual(describeResults(await sm.fetch([request('db')], irsaContext())), ['ok one v1']);
  t.is(mock.commandCalls(BatchGetSecretValueCommand).length, 0);
});

test.serial('falls back to GetSecretValue per secret when BatchGetSecretValue is denied', async (t) => {
  mock.on(BatchGetSecretValueCommand).rejects(awsError('AccessDeniedException', 400));
  mock.on(GetSecretValueCommand, { SecretId: 'a' }).resolves({ SecretString: 'A', VersionId: 'va' });
  mock.on(GetSecretValueCommand, { SecretId: 'b' }).rejects(awsError('AccessDeniedException', 400));
  const { sm } = awsStores();
  t.deepEqual(describeResults(await sm.fetch([request('a'), request('b')], irsaContext())), [
    'ok A va',
    'PermissionError role arn:aws:iam::123456789012:role/app (IRSA for team-a/app) may not read secret "b" in us-east-1 (AccessDeniedException); grant it in the role\'s IAM policy (and kms:Decrypt on the key, if the secret uses a customer-managed key)',
  ]);
});

test.serial('reports a throttled batch once per secret, each naming its own', async (t) => {
  mock.on(BatchGetSecretValueCommand).rejects(awsError('ThrottlingException', 400));
  const { sm } = awsStores();
  t.deepEqual(describeResults(await sm.fetch([request('a'), request('b')], irsaContext())), [
    'ThrottledError AWS Secrets Manager in us-east-1 throttled the request for secret "a" (ThrottlingException)',
    'ThrottledError AWS Secrets Manager in us-east-1 throttled the request for secret "b" (ThrottlingException)',
  ]);
  t.is(mock.commandCalls(GetSecretValueCommand).length, 0);
});

test.serial('asks GetSecretValue for a secret the batch did not answer, such as a partial ARN', async (t) => {
  mock.on(BatchGetSecretValueCommand).resolves({ SecretValues: [{ Name: 'a', SecretString: 'A', VersionId: 'va' }] });
  mock.on(GetSecretValueCommand).resolves({ SecretString: 'P', VersionId: 'vp' });
  const { sm } = awsStores();
  t.deepEqual(describeResults(await sm.fetch([request('a'), request('arn:aws:secretsmanager:us-east-1:123456789012:secret:partial')], irsaContext())), ['ok A va', 'ok P vp']);
});

const mapsError = test.macro({
  async exec(t, error: Error, expected: string) {
    mock.on(GetSecretValueCommand).rejects(error);
    const { sm } = awsStores();
    t.deepEqual(describeResults(await sm.fetch([request('db')], irsaContext())), [expected]);
  },
  title: (given) => given ?? '',
});

test.serial('reports throttling as ThrottledError', mapsError, awsError('ThrottlingException', 400), 'ThrottledError AWS Secrets Manager in us-east-1 throttled the request for secret "db" (ThrottlingException)');
test.serial('reports a 5xx as UnavailableError', mapsError, awsError('InternalServiceError', 500), 'UnavailableError AWS Secrets Manager in us-east-1 failed for secret "db" (InternalServiceError, HTTP 500); try again later');
test.serial('reports a refused connection as UnavailableError', mapsError, Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), 'UnavailableError AWS Secrets Manager in us-east-1 could not be reached for secret "db" (ECONNREFUSED); check the network path or the endpoint (AWS_ENDPOINT_URL_*)');
test.serial('reports a KMS decryption failure as PermissionError', mapsError, awsError('DecryptionFailure', 400), 'PermissionError role arn:aws:iam::123456789012:role/app (IRSA for team-a/app) may not read secret "db" in us-east-1 (DecryptionFailure); grant it in the role\'s IAM policy (and kms:Decrypt on the key, if the secret uses a customer-managed key)');
test.serial('reports an invalid request with AWS\'s reason', mapsError, awsError('InvalidRequestException', 400, 'secret is marked for deletion'), 'ConfigError AWS Secrets Manager in us-east-1 refused the request for secret "db" (InvalidRequestException): secret is marked for deletion');
test.serial('reports an unknown failure as an internal error', mapsError, awsError('Mystery', 418), 'CourierError AWS Secrets Manager in us-east-1 failed for secret "db" (Mystery, HTTP 418)');
test.serial('reports rejected credentials as AuthError', mapsError, awsError('UnrecognizedClientException', 400), 'AuthError AWS Secrets Manager in us-east-1 did not accept the credentials of role arn:aws:iam::123456789012:role/app (IRSA for team-a/app) (UnrecognizedClientException)');

test.serial('fails over to the failover region and its failoverObject on throttling or 5xx', async (t) => {
  mock.on(GetSecretValueCommand).callsFake(async (input: { SecretId: string }, getClient: () => SecretsManagerClient) => {
    const region = await regionOf(getClient);
    if (region === 'us-east-1') throw awsError('InternalServiceError', 500);
    return { SecretString: `${input.SecretId}@${region}`, VersionId: 'v-west' };
  });
  const { sm } = awsStores();
  const results = await sm.fetch([request('db', { stage: 'AWSCURRENT' }, { failoverRegion: 'us-west-2', failoverObjectName: 'db-replica' })], irsaContext());
  t.deepEqual(describeResults(results), ['ok db-replica@us-west-2 v-west']);
});

test.serial('does not hide a 4xx in the primary region behind the failover', async (t) => {
  mock.on(GetSecretValueCommand).callsFake(async (_input: unknown, getClient: () => SecretsManagerClient) => {
    if ((await regionOf(getClient)) === 'us-east-1') throw awsError('ResourceNotFoundException', 400);
    return { SecretString: 'west', VersionId: 'v' };
  });
  const { sm } = awsStores();
  t.deepEqual(describeResults(await sm.fetch([request('db', {}, { failoverRegion: 'us-west-2' })], irsaContext())), ['NotFoundError secret "db" does not exist in us-east-1 (ResourceNotFoundException)']);
});

test.serial('tells both regions when both are unavailable, keeping the retryable class', async (t) => {
  mock.on(GetSecretValueCommand).rejects(awsError('ThrottlingException', 400));
  const { sm } = awsStores();
  t.deepEqual(describeResults(await sm.fetch([request('db', {}, { failoverRegion: 'us-west-2' })], irsaContext())), [
    'ThrottledError AWS Secrets Manager in us-east-1 throttled the request for secret "db" (ThrottlingException); the failover region us-west-2 failed too: AWS Secrets Manager in us-west-2 throttled the request for secret "db" (ThrottlingException)',
  ]);
});

test.serial('gives requests of one service account and region the same identity key', async (t) => {
  const { sm } = awsStores();
  const keys = await Promise.all([sm.identityKey(request('a'), irsaContext()), sm.identityKey(request('b'), irsaContext()), sm.identityKey(request('c', {}, { region: 'eu-west-1' }), irsaContext())]);
  t.deepEqual(keys, [
    'irsa|team-a/app|arn:aws:iam::123456789012:role/app|us-east-1|',
    'irsa|team-a/app|arn:aws:iam::123456789012:role/app|us-east-1|',
    'irsa|team-a/app|arn:aws:iam::123456789012:role/app|eu-west-1|',
  ]);
});

test.serial('refuses an object without a region when courier has no default region', async (t) => {
  const { sm } = awsStores(undefined, null);
  const error = await t.throwsAsync(sm.identityKey({ locator: 'db', storeParams: {} }, irsaContext()));
  t.is(error?.message, 'no AWS region: set "region" in the SecretProviderClass (native: "aws.region") or start courier with --aws-region / AWS_REGION');
});

test.serial('refuses a region that is not a region name', async (t) => {
  const { sm } = awsStores();
  const error = await t.throwsAsync(sm.identityKey(request('db', {}, { region: 'bad' }), irsaContext()));
  t.is(error?.message, 'region: "bad" is not an AWS region name such as "us-east-1"');
});

test.serial('refuses an ARN from another region than the object\'s', async (t) => {
  const { sm } = awsStores();
  const error = await t.throwsAsync(sm.identityKey(request('arn:aws:secretsmanager:eu-west-1:123456789012:secret:x'), irsaContext()));
  t.is(error?.message, 'the ARN\'s region "eu-west-1" does not match the region "us-east-1"');
});
