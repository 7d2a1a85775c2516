import test from 'ava';
import { status } from '@grpc/grpc-js';
import { GcpTokenSource } from '../../../src/stores/gcp/token-source.ts';
import { startGcpWorld, staticServiceAccounts, TEST_POOL, type GcpWorld } from '../../fakes/gcp-world.ts';

function source(world: GcpWorld, clock: { now: number }, accounts: Record<string, Record<string, string>> = {}): GcpTokenSource {
  return new GcpTokenSource({ identity: world.identity, stsUrl: world.sts.tokenUrl, iamCredentialsUrl: world.iam.url, now: () => clock.now }, staticServiceAccounts(accounts));
}

test('reuses a token until five minutes before it expires', async (t) => {
  const world = await startGcpWorld(t);
  const clock = { now: Date.now() };
  const tokens = source(world, clock);
  const { pod, tokens: podTokens } = world.context({});
  const first = await tokens.accessToken(pod, podTokens, undefined);
  clock.now += 54 * 60_000;
  t.is(await tokens.accessToken(pod, podTokens, undefined), first);
  clock.now += 2 * 60_000;
  t.not(await tokens.accessToken(pod, podTokens, undefined), first);
  t.is(world.sts.calls.length, 2);
});

test('refreshes a short-lived token at half its life', async (t) => {
  const world = await startGcpWorld(t);
  world.sts.expiresInSeconds = 60;
  const clock = { now: Date.now() };
  const tokens = source(world, clock);
  const { pod, tokens: podTokens } = world.context({});
  await tokens.accessToken(pod, podTokens, undefined);
  clock.now += 25_000;
  await tokens.accessToken(pod, podTokens, undefined);
  clock.now += 10_000;
  await tokens.accessToken(pod, podTokens, undefined);
  t.is(world.sts.calls.length, 2);
});

test('shares one exchange between concurrent Mounts of one identity', async (t) => {
  const world = await startGcpWorld(t);
  world.sts.latencyMs = 100;
  const tokens = source(world, { now: Date.now() });
  const results = await Promise.all(Array.from({ length: 25 }, (_, index) => {
    const { pod, tokens: podTokens } = world.context({ name: `pod-${index}` });
    return tokens.accessToken(pod, podTokens, undefined);
  }));
  t.is(new Set(results).size, 1);
  t.is(world.sts.calls.length, 1);
});

test('keeps tokens of different Google service accounts apart', async (t) => {
  const world = await startGcpWorld(t);
  const principal = world.principalOf('team-a', 'app');
  world.iam.allow(principal, 'one@p.iam.gserviceaccount.com');
  world.iam.allow(principal, 'two@p.iam.gserviceaccount.com');
  const tokens = source(world, { now: Date.now() });
  const { pod, tokens: podTokens } = world.context({});
  const one = await tokens.accessToken(pod, podTokens, 'one@p.iam.gserviceaccount.com');
  const two = await tokens.accessToken(pod, podTokens, 'two@p.iam.gserviceaccount.com');
  t.is(world.iam.serviceAccountOf(one), 'one@p.iam.gserviceaccount.com');
  t.is(world.iam.serviceAccountOf(two), 'two@p.iam.gserviceaccount.com');
});

test('still checks the pod token when a cached access token exists', async (t) => {
  const world = await startGcpWorld(t);
  const tokens = source(world, { now: Date.now() });
  const { pod, tokens: podTokens } = world.context({});
  await tokens.accessToken(pod, podTokens, undefined);
  const other = world.context({ serviceAccount: 'intruder' }).tokens;
  const error = await t.throwsAsync(tokens.accessToken(pod, other, undefined));
  t.is(error?.message, `the token for audience "${TEST_POOL}" belongs to team-a/intruder, but the request is for team-a/app (csi.storage.k8s.io/pod.namespace, csi.storage.k8s.io/serviceAccount.name)`);
});

test('explains an STS refusal', async (t) => {
  const world = await startGcpWorld(t);
  world.sts.failNext = { status: 400, count: 1 };
  const tokens = source(world, { now: Date.now() });
  const { pod, tokens: podTokens } = world.context({});
  const error = await t.throwsAsync(tokens.accessToken(pod, podTokens, undefined));
  t.is(error?.message, `Google STS refused the token of team-a/app for the workload identity pool ${TEST_POOL} (400: injected failure); check that the pool trusts this cluster's issuer and that the token audience is "${TEST_POOL}"`);
  t.is((error as { grpcCode?: number } | undefined)?.grpcCode, status.UNAUTHENTICATED);
});

test('reports an unreachable STS as unavailable', async (t) => {
  const world = await startGcpWorld(t);
  const tokens = new GcpTokenSource({ identity: world.identity, stsUrl: 'http://127.0.0.1:9/v1/token', iamCredentialsUrl: world.iam.url }, staticServiceAccounts({}));
  const { pod, tokens: podTokens } = world.context({});
  const error = await t.throwsAsync(tokens.accessToken(pod, podTokens, undefined));
  t.is((error as { grpcCode?: number } | undefined)?.grpcCode, status.UNAVAILABLE);
  t.regex(error?.message ?? '', /^Google STS could not be reached for team-a\/app: /);
});

test('refuses an annotation that is not a service account email', async (t) => {
  const world = await startGcpWorld(t);
  const tokens = source(world, { now: Date.now() }, { 'team-a/app': { 'iam.gke.io/gcp-service-account': 'not an email' } });
  const error = await t.throwsAsync(tokens.targetServiceAccount(world.context({}).pod));
  t.is(error?.message, 'ServiceAccount team-a/app has annotation iam.gke.io/gcp-service-account="not an email", which is not a service account email');
});
