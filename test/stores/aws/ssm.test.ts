import test from 'ava';
import { mockClient } from 'aws-sdk-client-mock';
import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { awsError, awsStores, describeResults, irsaContext, request } from './aws-fixture.ts';

const mock = mockClient(SSMClient);
test.beforeEach(() => mock.reset());

const ARN = 'arn:aws:ssm:us-east-1:123456789012:parameter/app/key';

test.serial('asks GetParameters once, decrypted, with version and label selectors', async (t) => {
  mock.on(GetParametersCommand).resolves({
    Parameters: [
      { Name: '/app/key', ARN, Value: 'latest', Version: 3 },
      { Name: '/app/key', ARN, Value: 'first', Version: 1, Selector: ':1' },
      { Name: '/app/key', ARN, Value: 'labelled', Version: 2, Selector: ':prod' },
    ],
  });
  const { ssm } = awsStores();
  const results = await ssm.fetch([request('/app/key'), request('/app/key', { version: '1' }), request('/app/key', { stage: 'prod' })], irsaContext());
  t.deepEqual(describeResults(results), ['ok latest 3', 'ok first 1', 'ok labelled 2']);
  t.deepEqual(mock.commandCalls(GetParametersCommand).map((call) => call.args[0].input), [{ Names: ['/app/key', '/app/key:1', '/app/key:prod'], WithDecryption: true }]);
});

test.serial('matches untagged answers by version, the newest to an unpinned request and the rest to labels', async (t) => {
  mock.on(GetParametersCommand).resolves({
    Parameters: [
      { Name: '/app/key', Value: 'first', Version: 1 },
      { Name: '/app/key', Value: 'labelled', Version: 2 },
      { Name: '/app/key', Value: 'latest', Version: 3 },
    ],
  });
  const { ssm } = awsStores();
  const results = await ssm.fetch([request('/app/key'), request('/app/key', { version: '1' }), request('/app/key', { stage: 'prod' })], irsaContext());
  t.deepEqual(describeResults(results), ['ok latest 3', 'ok first 1', 'ok labelled 2']);
});

test.serial('matches a parameter asked for by ARN', async (t) => {
  mock.on(GetParametersCommand).resolves({ Parameters: [{ Name: '/app/key', ARN, Value: 'v', Version: 1 }] });
  const { ssm } = awsStores();
  t.deepEqual(describeResults(await ssm.fetch([request(ARN)], irsaContext())), ['ok v 1']);
});

test.serial('reports invalid parameters as not found, naming the selector', async (t) => {
  mock.on(GetParametersCommand).resolves({ Parameters: [], InvalidParameters: ['/nope', '/app/key:9'] });
  const { ssm } = awsStores();
  t.deepEqual(describeResults(await ssm.fetch([request('/nope'), request('/app/key', { version: '9' })], irsaContext())), [
    'NotFoundError parameter "/nope" does not exist in us-east-1',
    'NotFoundError parameter "/app/key" version 9 does not exist in us-east-1',
  ]);
});

test.serial('reports a denied call once per parameter, each naming its own', async (t) => {
  mock.on(GetParametersCommand).rejects(awsError('AccessDeniedException', 400));
  const { ssm } = awsStores();
  t.deepEqual(describeResults(await ssm.fetch([request('/a'), request('/b', { stage: 'prod' })], irsaContext())), [
    'PermissionError role arn:aws:iam::123456789012:role/app (IRSA for team-a/app) may not read parameter "/a" in us-east-1 (AccessDeniedException); grant it in the role\'s IAM policy (and kms:Decrypt on the key, if the secret uses a customer-managed key)',
    'PermissionError role arn:aws:iam::123456789012:role/app (IRSA for team-a/app) may not read parameter "/b" (label prod) in us-east-1 (AccessDeniedException); grant it in the role\'s IAM policy (and kms:Decrypt on the key, if the secret uses a customer-managed key)',
  ]);
});

test.serial('fails over only what was throttled', async (t) => {
  mock.on(GetParametersCommand).callsFake(async (input: { Names: string[] }, getClient: () => SSMClient) => {
    if ((await getClient().config.region()) === 'us-east-1') throw awsError('ThrottlingException', 400);
    return { Parameters: input.Names.map((name) => ({ Name: name, Value: `${name}@west`, Version: 7 })) };
  });
  const { ssm } = awsStores();
  t.deepEqual(describeResults(await ssm.fetch([request('/a', {}, { failoverRegion: 'us-west-2' })], irsaContext())), ['ok /a@west 7']);
});

const refusesPin = test.macro({
  async exec(t, pin: { version?: string; stage?: string }, message: string) {
    const { ssm } = awsStores();
    const error = await t.throwsAsync(ssm.identityKey(request('/a', pin), irsaContext()));
    t.is(error?.message, message);
  },
  title: (given) => given ?? '',
});

test.serial('refuses a version that is not a number', refusesPin, { version: 'v1' }, 'SSM parameter version "v1" is not a version number');
test.serial('refuses a version and a label together', refusesPin, { version: '1', stage: 'prod' }, 'an SSM parameter takes a version or a label, not both');
