// These tests read Vault's JSON answers as the wire gives them (callVault's body is untyped on purpose):
// every shape they rely on is asserted, so the type-aware unsafe-any rules are off here only.
/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-return */
import test, { type ExecutionContext } from 'ava';
import { callVault } from './call.ts';
import { fakePodToken } from '../../helpers/pod-token.ts';
import { JwtIssuer, MESSAGES, trustingTokenReview, useFakeVault, type FakeVault } from './index.ts';

const ISSUER = new JwtIssuer();
const POD = { namespace: 'team-a', serviceAccount: 'app' };

async function kubernetesVault(t: ExecutionContext): Promise<FakeVault> {
  const vault = await useFakeVault(t);
  vault.enableKubernetesAuth({
    publicKeys: [ISSUER.publicKeyPem],
    roles: { app: { boundServiceAccountNames: ['app', 'worker-*'], boundServiceAccountNamespaces: ['team-a'], audience: 'vault', tokenPolicies: ['app'], tokenTtl: 600 } },
  });
  return vault;
}

const login = (vault: FakeVault, body: unknown, mount = 'kubernetes') => callVault(vault.url, 'POST', `auth/${mount}/login`, { body });

test('a Kubernetes login with a signed token of a bound service account returns Vault\'s auth block', async (t) => {
  const vault = await kubernetesVault(t);
  const { status, body } = await login(vault, { role: 'app', jwt: await ISSUER.podToken(POD) });
  t.is(status, 200);
  t.regex(body.auth.client_token, /^hvs\.[A-Za-z0-9]{24}$/);
  t.like(body.auth, { policies: ['app', 'default'], token_policies: ['app', 'default'], lease_duration: 600, renewable: true, token_type: 'service', orphan: true });
  t.deepEqual(body.auth.metadata, { role: 'app', service_account_name: 'app', service_account_namespace: 'team-a', service_account_secret_name: '', service_account_uid: 'c0ffee00-0000-4000-8000-000000000000' });
  t.like(body, { lease_id: '', lease_duration: 0, data: null });
  t.is(vault.counters.logins('app'), 1);
});

const refused = test.macro({
  async exec(t, body: (jwt: string) => Record<string, unknown> | Promise<Record<string, unknown>>, status: number, message: string) {
    const vault = await kubernetesVault(t);
    const answer = await login(vault, await body(await ISSUER.podToken(POD)));
    t.deepEqual([answer.status, answer.body], [status, { errors: [message] }]);
    t.is(vault.counters.logins(), 0);
  },
  title: (given) => given ?? '',
});

test('refuses a login without a role', refused, (jwt) => ({ jwt }), 400, 'missing role');
test('refuses a login without a JWT', refused, () => ({ role: 'app' }), 400, 'missing jwt');
test('refuses an unknown role', refused, (jwt) => ({ role: 'nope', jwt }), 400, 'invalid role name "nope"');
test('refuses a token signed by another key with a bare permission denied', refused, async () => ({ role: 'app', jwt: await new JwtIssuer().podToken(POD) }), 403, MESSAGES.permissionDenied);
test('refuses a token for another audience', refused, async () => ({ role: 'app', jwt: await ISSUER.podToken({ ...POD, audience: 'other' }) }), 403, 'invalid audience (aud) claim: audience claim does not match any expected audience');
test('refuses a service account outside the bound names', refused, async () => ({ role: 'app', jwt: await ISSUER.podToken({ ...POD, serviceAccount: 'intruder' }) }), 403, 'service account name not authorized');
test('refuses a namespace outside the bound namespaces', refused, async () => ({ role: 'app', jwt: await ISSUER.podToken({ ...POD, namespace: 'team-b' }) }), 403, 'namespace not authorized');
test('refuses a token that expired more than a minute ago', refused, async () => ({ role: 'app', jwt: await ISSUER.podToken({ ...POD, expiresIn: -120 }) }), 403, 'invalid expiration time (exp) claim: token is expired');
test('refuses an unsigned placeholder token when pem_keys are configured', refused, () => ({ role: 'app', jwt: fakePodToken({ ...POD, audience: 'vault' }) }), 403, MESSAGES.permissionDenied);

test('accepts a token inside the minute of clock skew and a globbed service account name', async (t) => {
  const vault = await kubernetesVault(t);
  t.is((await login(vault, { role: 'app', jwt: await ISSUER.podToken({ ...POD, expiresIn: -30 }) })).status, 200);
  t.is((await login(vault, { role: 'app', jwt: await ISSUER.podToken({ ...POD, serviceAccount: 'worker-7' }) })).status, 200);
  t.is(vault.counters.logins('app', { mount: 'kubernetes', namespace: '' }), 2);
});

test('without pem_keys the role asks the TokenReview, so unsigned pod tokens log in when it agrees', async (t) => {
  const vault = await useFakeVault(t);
  vault.enableKubernetesAuth({ tokenReview: trustingTokenReview, roles: { app: { boundServiceAccountNames: ['app'], boundServiceAccountNamespaces: ['*'] } } }, 'k8s-cluster');
  t.is((await login(vault, { role: 'app', jwt: fakePodToken({ ...POD, audience: 'vault' }) }, 'k8s-cluster')).status, 200);
  const review = await useFakeVault(t);
  review.enableKubernetesAuth({ tokenReview: () => ({ authenticated: false }), roles: { app: { boundServiceAccountNames: ['*'], boundServiceAccountNamespaces: ['*'] } } });
  t.deepEqual((await login(review, { role: 'app', jwt: fakePodToken({ ...POD, audience: 'vault' }) })).body, { errors: [MESSAGES.permissionDenied] });
  t.is(vault.counters.logins('app', { mount: 'k8s-cluster' }), 1);
});

test('a login against an auth mount that is not enabled is denied', async (t) => {
  const vault = await kubernetesVault(t);
  t.deepEqual((await login(vault, { role: 'app', jwt: 'x' }, 'elsewhere')).body, { errors: [MESSAGES.permissionDenied] });
});

async function jwtVault(t: ExecutionContext, ci: JwtIssuer): Promise<FakeVault> {
  const vault = await useFakeVault(t);
  vault.enableJwtAuth({
    jwks: ci.jwks,
    boundIssuer: ci.issuer,
    roles: {
      ci: { boundAudiences: ['vault'], boundSubject: 'repo:courier/app', boundClaims: { ref: ['refs/heads/main', 'refs/heads/release'] }, claimMappings: { ref: 'git_ref' }, tokenPolicies: ['deploy'], tokenTtl: 300 },
      glob: { boundAudiences: ['vault'], boundClaimsType: 'glob', boundClaims: { ref: 'refs/heads/*' } },
    },
  });
  return vault;
}

test('a JWT login checks issuer, audience, subject and bound claims, and maps claims into metadata', async (t) => {
  const ci = new JwtIssuer('https://ci.example.com', 'ci-key');
  const vault = await jwtVault(t, ci);
  const claims = { sub: 'repo:courier/app', aud: 'vault', ref: 'refs/heads/main' };
  const ok = await login(vault, { role: 'CI', jwt: await ci.sign(claims) }, 'jwt');
  t.like(ok.body.auth, { policies: ['default', 'deploy'], lease_duration: 300, metadata: { role: 'ci', git_ref: 'refs/heads/main' } });
  const fail = async (jwt: string, role = 'ci') => (await login(vault, { role, jwt }, 'jwt')).body.errors;
  t.deepEqual(await fail(await ci.sign({ ...claims, ref: 'refs/heads/dev' })), ['error validating claims: claim "ref" does not match any associated bound claim values']);
  t.deepEqual(await fail(await ci.sign({ ...claims, sub: 'repo:other/app' })), ['error validating token: invalid subject (sub) claim']);
  t.deepEqual(await fail(await ci.sign({ ...claims, aud: 'other' })), ['error validating token: invalid audience (aud) claim: audience claim does not match any expected audience']);
  t.deepEqual(await fail(await ci.sign({ ...claims, iss: 'https://evil.example.com' })), ['error validating token: invalid issuer (iss) claim']);
  t.deepEqual(await fail(await new JwtIssuer(ci.issuer).sign(claims)), ['error validating token: error verifying token signature: no known key successfully validated the token signature']);
  t.deepEqual(await fail(await ci.sign(claims), 'nope'), ['role "nope" could not be found']);
  t.deepEqual(await fail(await ci.sign({ sub: 'x', aud: 'vault', ref: 'refs/heads/feature' }), 'glob'), undefined);
  t.is(vault.counters.logins('ci', { mount: 'jwt' }), 1);
  t.is(vault.counters.loginAttempts(undefined, { mount: 'jwt' }), 8);
});
