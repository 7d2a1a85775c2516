import test from 'ava';
import { planObjects, problems } from './plan-helpers.ts';

// Store settings and pins are checked by each store's own rules while planning, so `courier validate`
// reports them against the setting, before any Mount.

const reports = test.macro({
  exec(t, objects: string, parameters: Record<string, string>, expected: readonly string[]) {
    t.deepEqual(problems(planObjects(objects, parameters)), expected);
  },
  title: (given, objects: string, parameters: Record<string, string>) => given ?? `reports ${JSON.stringify(parameters)} with ${JSON.stringify(objects)}`,
});

test(reports, '- source: aws-sm:db', { 'aws.region': 'Europe-West' }, ['aws.region: "Europe-West" is not an AWS region name such as "us-east-1"']);
test(reports, '- source: aws-sm:db', { 'aws.usePodIdentity': 'maybe' }, ['aws.usePodIdentity: must be "true" or "false", not "maybe"']);
test(reports, '- source: aws-sm:db', { 'aws.preferredAddressType': 'ipv5' }, ['aws.preferredAddressType: must be one of auto, ipv4, ipv6, not "ipv5"']);
test(reports, '- source: aws-sm:db', { 'aws.region': 'eu-west-1', 'aws.failoverRegion': 'eu-west-1' }, ['aws.failoverRegion: "eu-west-1" is also the region; the failover region must differ']);
test(reports, '- source: aws-ssm:/app/db\n  version: abc', {}, ['objects[0].version: SSM parameter version "abc" is not a version number']);
test(reports, '- source: aws-ssm:/app/db\n  version: 2\n  stage: prod', {}, ['objects[0].stage: an SSM parameter takes a version or a label, not both']);
test(reports, '- source: "aws-sm:arn:aws:ssm:us-east-1:123456789012:parameter/db"', {}, ['objects[0].source: the ARN\'s service "ssm" is not secretsmanager; use the aws-ssm store for it']);
test(reports, '- source: "aws-ssm:arn:bad"', {}, ['objects[0].source: "arn:bad" is not a valid ARN']);
test(reports, '- source: gcp-sm:projects/p/secrets/s\n  version: newest', {}, ['objects[0].version: "newest" is not a secret version; use a version number or "latest"']);
test(reports, '- source: gcp-sm:projects/p/secrets/s\n  stage: prod', {}, ['objects[0].stage: Secret Manager has no staging labels; pin a version with "version" instead']);
test(reports, '- source: gcp-sm:projects/p/secrets/s', { 'gcp.auth': 'mine' }, ['gcp.auth: "mine" is not one of pod-adc, provider-adc']);
test('suggests the setting a typo is close to', reports, '- source: aws-sm:db', { 'aws.regoin': 'eu-west-1' }, ['aws.regoin: unknown parameter for the native dialect; did you mean "aws.region"?']);

test('accepts good settings and pins', (t) => {
  t.deepEqual(problems(planObjects('- source: aws-ssm:/app/db\n  version: 3\n- source: aws-sm:db\n  path: sm-db\n  stage: AWSPREVIOUS', { 'aws.region': 'eu-west-1', 'aws.failoverRegion': 'eu-central-1', 'aws.usePodIdentity': 'True' })), []);
});

test('treats an empty setting as unset', (t) => {
  t.deepEqual(problems(planObjects('- source: aws-sm:db', { 'aws.region': '' })), []);
});
