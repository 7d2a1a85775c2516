import test from 'ava';
import type { Registry } from 'prom-client';
import { startVaultWorld, textOf, vaultRequest, type VaultWorld } from './vault-world.ts';

const CREDS = vaultRequest('database/creds/app');
const CERT = vaultRequest('pki/issue/web', { method: 'PUT', args: JSON.stringify({ common_name: 'web.example.com' }) });

async function metric(registry: Registry, name: string): Promise<number> {
  return (await registry.getSingleMetric(name)?.get())?.values[0]?.value ?? 0;
}

/** Tokens that outlive the leases, so only the lease fraction decides. */
function longTokens(world: VaultWorld): void {
  world.kubernetes.role('app', { boundServiceAccountNames: ['app'], boundServiceAccountNamespaces: ['team-a'], audience: 'vault', tokenPolicies: ['app'], tokenTtl: 86_400, tokenMaxTtl: 86_400 });
}

/** What a pod's Mount would get: the username of its credential. */
async function username(t: Parameters<typeof textOf>[0], world: VaultWorld, pod = 'app-0'): Promise<string> {
  const [result] = await world.fetch([CREDS], await world.context({ name: pod, uid: `uid-${pod}` }));
  return (JSON.parse(textOf(t, result)) as { username: string }).username;
}

test('keeps a pod\'s database credential across republishes instead of minting a new one', async (t) => {
  const world = await startVaultWorld(t);
  const names = new Set<string>();
  for (let republish = 0; republish < 10; republish += 1) {
    names.add(await username(t, world));
    world.vault.clock.advance(60);
  }
  t.is(names.size, 1);
  t.is(world.vault.database('database').credentials.length, 1);
  t.is(await metric(world.registry, 'courier_vault_leases_issued_total'), 1);
  t.is(await metric(world.registry, 'courier_vault_leases_reused_total'), 9);
});

test('gives every pod its own credential, and pods their own identity keys', async (t) => {
  const world = await startVaultWorld(t);
  const names = await Promise.all(['app-0', 'app-1', 'app-2'].map((pod) => username(t, world, pod)));
  t.is(new Set(names).size, 3);
  t.is(world.vault.database('database').credentials.length, 3);
  const keys = await Promise.all(['app-0', 'app-1'].map(async (pod) => world.store.identityKey(CREDS, await world.context({ name: pod, uid: `uid-${pod}` }))));
  t.not(keys[0], keys[1]);
  t.is(await metric(world.registry, 'courier_vault_leases_held'), 3);
});

test('issues a new credential once two thirds of the lease have passed', async (t) => {
  const world = await startVaultWorld(t);
  longTokens(world);
  world.vault.database('database', { app: { defaultTtl: 600 } });
  const first = await username(t, world);
  world.vault.clock.advance(399);
  t.is(await username(t, world), first);
  world.vault.clock.advance(2);
  t.not(await username(t, world), first);
  t.is(world.vault.database('database').credentials.length, 2);
});

test('issues a new credential at the fraction --vault-lease-fraction names', async (t) => {
  const world = await startVaultWorld(t, { flags: { leaseFraction: '0.5' } });
  longTokens(world);
  world.vault.database('database', { app: { defaultTtl: 600 } });
  const first = await username(t, world);
  world.vault.clock.advance(301);
  t.not(await username(t, world), first);
});

test('issues a new credential before the token that minted it expires, as Vault revokes the token\'s leases with it', async (t) => {
  const world = await startVaultWorld(t);
  world.kubernetes.role('app', { boundServiceAccountNames: ['app'], boundServiceAccountNamespaces: ['team-a'], audience: 'vault', tokenPolicies: ['app'], tokenTtl: 600, tokenMaxTtl: 600 });
  const first = await username(t, world);
  world.vault.clock.advance(460);
  const second = await username(t, world);
  t.not(second, first);
  t.is(world.vault.counters.logins('app'), 2);
  const active = world.vault.leases().filter((lease) => lease.state === 'active');
  t.is(active.length, 2, 'the first lease is still valid at Vault until its token ends');
});

test('keeps a certificate issued without a lease until two thirds of its validity', async (t) => {
  const world = await startVaultWorld(t);
  longTokens(world);
  const pki = world.vault.pki('pki');
  await world.fetch([CERT]);
  world.vault.clock.advance(2_000);
  await world.fetch([CERT]);
  t.is(pki.issued.length, 1);
  world.vault.clock.advance(401);
  await world.fetch([CERT]);
  t.is(pki.issued.length, 2);
});

test('reads per pod a path whose mount Vault will not describe', async (t) => {
  const world = await startVaultWorld(t);
  world.vault.inject({ path: /^sys\/internal\/ui\/mounts\//, fault: { kind: 'status', status: 403, errors: ['1 error occurred:\n\t* permission denied\n\n'] } });
  const request = vaultRequest('kv/app/config', { pathStyle: 'api', shape: 'provider' });
  const keys = await Promise.all(['app-0', 'app-1'].map(async (pod) => world.store.identityKey(request, await world.context({ name: pod, uid: `uid-${pod}` }))));
  t.not(keys[0], keys[1]);
  const [result] = await world.fetch([request]);
  t.is(textOf(t, result), '{"host":"db.internal","port":5432}');
});

test('a PUT is the pod\'s own: pods get different identity keys even for the same path and body', async (t) => {
  const world = await startVaultWorld(t);
  const keys = await Promise.all(['app-0', 'app-1'].map(async (pod) => world.store.identityKey(CERT, await world.context({ name: pod, uid: `uid-${pod}` }))));
  t.not(keys[0], keys[1]);
  t.is(world.vault.counters.calls({ path: 'sys/internal/ui/mounts/pki/issue/web' }), 0, 'a PUT needs no mount lookup');
});
