import test from 'ava';
import type { Registry } from 'prom-client';
import { JwtIssuer } from '../../fakes/vault/index.ts';
import { startVaultWorld, textOf, vaultRequest } from './vault-world.ts';

/** The value of a vault metric series, 0 when absent. */
async function metric(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const found = await registry.getSingleMetric(name)?.get();
  const series = found?.values.find((value) => Object.entries(labels).every(([key, label]) => value.labels[key] === label));
  return series?.value ?? 0;
}

test('logs in once for every pod of one service account', async (t) => {
  const world = await startVaultWorld(t);
  for (let pod = 0; pod < 5; pod += 1) {
    const [result] = await world.fetch([vaultRequest('secret/app/db')], await world.context({ name: `app-${pod}`, uid: `uid-${pod}` }));
    t.is(textOf(t, result), '{"user":"app","password":"s3cret"}');
  }
  t.is(world.vault.counters.logins('app'), 1);
  t.is(await metric(world.registry, 'courier_vault_logins_total', { outcome: 'ok' }), 1);
  t.is(await metric(world.registry, 'courier_token_exchanges_total', { store: 'vault', kind: 'login', outcome: 'ok' }), 1, 'the shared exchange counter sees the one login');
  t.true((await metric(world.registry, 'courier_vault_token_cache_hits_total')) >= 9, 'every later request was served the cached token');
});

test('logs in once per service account, as tokens are cached per identity', async (t) => {
  const world = await startVaultWorld(t);
  world.kubernetes.role('app', { boundServiceAccountNames: ['app', 'api'], boundServiceAccountNamespaces: ['team-a'], audience: 'vault', tokenPolicies: ['app'] });
  await world.fetch([vaultRequest('secret/app/db')], await world.context({ serviceAccount: 'app' }));
  await world.fetch([vaultRequest('secret/app/db')], await world.context({ serviceAccount: 'api', name: 'api-0', uid: 'uid-api' }));
  await world.fetch([vaultRequest('secret/app/db')], await world.context({ serviceAccount: 'api', name: 'api-1', uid: 'uid-api-1' }));
  t.is(world.vault.counters.logins('app'), 2);
});

test('concurrent Mounts of one identity share one login', async (t) => {
  const world = await startVaultWorld(t, { fake: { latencyMs: 50 } });
  const contexts = await Promise.all(Array.from({ length: 20 }, (_, pod) => world.context({ name: `app-${pod}`, uid: `uid-${pod}` })));
  const keys = await Promise.all(contexts.map(async (context) => world.store.identityKey(vaultRequest('secret/app/db'), context)));
  t.is(new Set(keys).size, 1, 'KV reads of one identity share one identity key');
  t.is(world.vault.counters.loginAttempts('app'), 1);
});

test('renews the token with renew-self once two thirds of its TTL have passed', async (t) => {
  const world = await startVaultWorld(t);
  await world.fetch([vaultRequest('secret/app/db')]);
  world.vault.clock.advance(401);
  const [result] = await world.fetch([vaultRequest('secret/app/db')]);
  t.true(result?.ok);
  t.is(world.vault.counters.calls({ path: 'auth/token/renew-self' }), 1);
  t.is(world.vault.counters.logins('app'), 1);
  t.is(await metric(world.registry, 'courier_vault_token_renewals_total', { outcome: 'ok' }), 1);
});

test('logs in again instead of renewing when the max TTL is near', async (t) => {
  const world = await startVaultWorld(t);
  world.kubernetes.role('app', { boundServiceAccountNames: ['app'], boundServiceAccountNamespaces: ['team-a'], audience: 'vault', tokenPolicies: ['app'], tokenTtl: 600, tokenMaxTtl: 660 });
  await world.fetch([vaultRequest('secret/app/db')]);
  world.vault.clock.advance(401);
  await world.fetch([vaultRequest('secret/app/db')]);
  t.is(world.vault.counters.logins('app'), 1, 'the first renewal left 259 s, enough');
  world.vault.clock.advance(180);
  const [result] = await world.fetch([vaultRequest('secret/app/db')]);
  t.true(result?.ok);
  t.is(world.vault.counters.calls({ path: 'auth/token/renew-self' }), 2);
  t.is(await metric(world.registry, 'courier_vault_token_renewals_total', { outcome: 'capped' }), 1);
  t.is(world.vault.counters.logins('app'), 2);
});

test('logs in again once the token has expired', async (t) => {
  const world = await startVaultWorld(t);
  await world.fetch([vaultRequest('secret/app/db')]);
  world.vault.clock.advance(700);
  const [result] = await world.fetch([vaultRequest('secret/app/db')]);
  t.true(result?.ok);
  t.is(world.vault.counters.calls({ path: 'auth/token/renew-self' }), 0);
  t.is(world.vault.counters.logins('app'), 2);
});

test('drops a token Vault calls invalid and logs in again, once for concurrent Mounts', async (t) => {
  // Courier's clock stands still while Vault's moves past the token's TTL: Vault refuses a token Courier still holds.
  const world = await startVaultWorld(t, { seams: { now: () => 1_000 } });
  const context = await world.context();
  await world.fetch([vaultRequest('secret/app/db')], context);
  world.vault.clock.advance(601);
  const fresh = await world.context();
  const results = await Promise.all([world.store.fetch([vaultRequest('secret/app/db')], fresh), world.store.fetch([vaultRequest('kv/app/config')], fresh)]);
  t.is(textOf(t, results[0]?.[0]), '{"user":"app","password":"s3cret"}');
  t.is(textOf(t, results[1]?.[0]), '{"host":"db.internal","port":5432}');
  t.is(world.vault.counters.logins('app'), 2);
  t.is(world.vault.counters.calls({ status: 403 }), 2, 'each read was refused once, then made again');
});

test('drops an invalid token met during a mount lookup and logs in again', async (t) => {
  const world = await startVaultWorld(t, { seams: { now: () => 1_000 } });
  await world.fetch([vaultRequest('secret/app/db')]);
  world.vault.clock.advance(601);
  const key = await world.store.identityKey(vaultRequest('kv/app/config'), await world.context());
  t.true(key.length > 0);
  t.is(world.vault.counters.logins('app'), 2);
});

test('a login shared by Mounts goes on when the Mount that started it gives up', async (t) => {
  const world = await startVaultWorld(t, { fake: { latencyMs: 300 } });
  const first = await world.context();
  const controller = new AbortController();
  const abandoned = Promise.resolve(world.store.identityKey(vaultRequest('secret/app/db'), { ...first, signal: controller.signal }));
  setTimeout(() => controller.abort(), 50);
  const error = await t.throwsAsync(abandoned);
  t.is(error?.message, 'the Mount\'s deadline passed during a Vault login');
  await t.notThrowsAsync(async () => world.store.identityKey(vaultRequest('secret/app/db'), await world.context({ name: 'app-1', uid: 'uid-1' })));
  t.is(world.vault.counters.loginAttempts('app'), 1);
});

test('logs in with JWT auth at the auth mount the class names', async (t) => {
  const world = await startVaultWorld(t);
  world.vault.enableJwtAuth({ jwtValidationPubkeys: [world.issuer.publicKeyPem], roles: { app: { boundAudiences: ['vault'], boundSubject: 'system:serviceaccount:team-a:app', tokenPolicies: ['app'] } } }, 'jwt');
  const [result] = await world.fetch([vaultRequest('secret/app/db', { authMount: 'jwt' })]);
  t.is(textOf(t, result), '{"user":"app","password":"s3cret"}');
  t.is(world.vault.counters.logins('app', { mount: 'jwt' }), 1);
});

/** A login that fails: the identity key is refused with this message, and no secret is read. */
const refusedLogin = test.macro(async (t, params: Record<string, string>, pod: { serviceAccount?: string }, audience: string, expected: string) => {
  const world = await startVaultWorld(t);
  const error = await t.throwsAsync(async () => world.store.identityKey(vaultRequest('secret/app/db', params), await world.context(pod, audience)));
  t.is(`${error?.name}: ${error?.message.replaceAll(world.vault.url, 'VAULT')}`, expected);
  t.is(world.vault.counters.reads(), 0);
});
test('a role that does not exist is named', refusedLogin, { role: 'nope' }, {}, 'vault', 'AuthError: Vault refused the login of role "nope" (auth/kubernetes) for team-a/app (HTTP 400: invalid role name "nope"); check vault.role and that the role exists on that auth mount');
test('a service account the role does not bind is refused', refusedLogin, {}, { serviceAccount: 'other' }, 'vault', 'AuthError: Vault refused the login of role "app" (auth/kubernetes) for team-a/other (HTTP 403: service account name not authorized); check the role\'s bound service accounts, namespaces and audience, and that the auth method trusts this cluster\'s tokens');
test('a token for an audience the role does not bind is refused', refusedLogin, { audience: 'other' }, {}, 'other', 'AuthError: Vault refused the login of role "app" (auth/kubernetes) for team-a/app (HTTP 403: invalid audience (aud) claim: audience claim does not match any expected audience); check the role\'s bound service accounts, namespaces and audience, and that the auth method trusts this cluster\'s tokens');
test('an auth mount that does not exist is refused', refusedLogin, { authMount: 'k8s' }, {}, 'vault', 'AuthError: Vault refused the login of role "app" (auth/k8s) for team-a/app (HTTP 403: permission denied); check the role\'s bound service accounts, namespaces and audience, and that the auth method trusts this cluster\'s tokens');
test('a missing pod token asks for the tokenRequests audience', refusedLogin, {}, {}, 'sts.amazonaws.com', 'AuthError: vault needs the pod\'s service-account token for audience "vault", but the request has tokens for "sts.amazonaws.com"; add {audience: "vault"} to tokenRequests of the secrets-store.csi.k8s.io CSIDriver');
test('a class without a role is told to name one', refusedLogin, { role: '' }, {}, 'vault', 'ConfigError: no Vault role: set vault.role to the role the pod logs in as');

test('a token signed by another issuer is refused by Vault', async (t) => {
  const world = await startVaultWorld(t);
  const context = await world.context();
  const forged = await new JwtIssuer().podToken({ namespace: 'team-a', serviceAccount: 'app' }, world.vault.clock.nowSeconds());
  const error = await t.throwsAsync(async () => world.store.identityKey(vaultRequest('secret/app/db'), { ...context, tokens: new Map([['vault', { audience: 'vault', token: forged, expirationTimestamp: '' }]]) }));
  t.regex(error?.message ?? '', /^Vault refused the login of role "app" \(auth\/kubernetes\) for team-a\/app \(HTTP 403: permission denied\)/);
});

test('a sealed Vault at login is unavailable, so the driver retries the Mount', async (t) => {
  const world = await startVaultWorld(t);
  world.vault.seal();
  const error = await t.throwsAsync(async () => world.store.identityKey(vaultRequest('secret/app/db'), await world.context()));
  t.is(`${error?.name}: ${error?.message.replaceAll(world.vault.url, 'VAULT')}`, 'UnavailableError: Vault at VAULT could not serve the login at auth/kubernetes (HTTP 503: Vault is sealed); it may be sealed, in standby or overloaded');
  t.is(await metric(world.registry, 'courier_vault_logins_total', { outcome: 'unavailable' }), 1);
  t.is(await metric(world.registry, 'courier_token_exchanges_total', { store: 'vault', kind: 'login', outcome: 'unavailable' }), 1);
});

test('pods of two service accounts get different identity keys for the same path', async (t) => {
  const world = await startVaultWorld(t);
  world.kubernetes.role('app', { boundServiceAccountNames: ['app', 'api'], boundServiceAccountNamespaces: ['team-a'], audience: 'vault', tokenPolicies: ['app'] });
  const app = await world.store.identityKey(vaultRequest('secret/app/db'), await world.context());
  const api = await world.store.identityKey(vaultRequest('secret/app/db'), await world.context({ serviceAccount: 'api' }));
  t.not(app, api);
});
