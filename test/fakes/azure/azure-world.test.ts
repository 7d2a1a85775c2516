// The world's seam: the loopback agent keeps traffic on 127.0.0.1, the test CA is trusted only through it, and the counts add up.
import test from 'ava';
import { get, request } from 'node:https';
import { connect } from 'node:net';
import { startAzureWorld } from './azure-world.ts';
import { podCredential, podWithVault, vaultClients } from './sdk-clients.ts';

test('the agent refuses a host no fake serves, so nothing leaves the machine', async (t) => {
  const world = await startAzureWorld(t);
  const error = await new Promise<Error>((resolve) => {
    get('https://management.azure.com/subscriptions', { agent: world.agent }, () => resolve(new Error('answered'))).on('error', resolve);
  });
  t.is(error.message, 'no Azure fake serves management.azure.com; refusing to leave the machine');
});

test('the fakes’ certificate is trusted through the agent only, not by Node’s default agent', async (t) => {
  const world = await startAzureWorld(t);
  const port = world.agent.routeFor('login.microsoftonline.com')?.port;
  const viaDefault = await new Promise<string>((resolve) => {
    const call = request({ host: '127.0.0.1', port, servername: 'login.microsoftonline.com', path: '/', headers: { host: 'login.microsoftonline.com' } }, () => resolve('answered'));
    call.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    call.end();
  });
  t.regex(viaDefault, /CERT|SELF_SIGNED|VERIFY/);
  const viaAgent = await new Promise<number>((resolve, reject) => {
    get('https://login.microsoftonline.com/nowhere', { agent: world.agent }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    }).on('error', reject);
  });
  t.is(viaAgent, 404);
});

test('the fakes do not accept connections on the IPv6 loopback', async (t) => {
  const world = await startAzureWorld(t);
  const port = world.agent.routeFor('courier.vault.azure.net')?.port ?? 0;
  const outcome = await new Promise<string>((resolve) => {
    const socket = connect({ host: '::1', port }, () => {
      socket.destroy();
      resolve('connected');
    });
    socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
  });
  t.not(outcome, 'connected');
});

test('counts tally token requests, challenges and reads per object, and reset between waves', async (t) => {
  const world = await startAzureWorld(t);
  const { vault, secrets, application } = podWithVault(world);
  const pinned = vault.setSecret('a', '1');
  vault.setSecret('b', '2');
  await secrets.getSecret('a');
  await secrets.getSecret('a', { version: pinned.version });
  await secrets.getSecret('b');
  t.deepEqual(world.counts(), {
    tokenRequests: 1,
    tokenRequestsByClient: { [application.clientId]: 1 },
    challenges: 1,
    vaultReads: 3,
    vaultReadsByObject: { 'courier-kv/secrets/a': 1, [`courier-kv/secrets/a@${pinned.version}`]: 1, 'courier-kv/secrets/b': 1 },
    discoveryRequests: 0,
  });
  world.resetCounts();
  // A second client, as the Azure provider builds per Mount: a new challenge and a new token request.
  const fresh = vaultClients(world, vault, podCredential(world, application, 'team-a', 'app'));
  await fresh.secrets.getSecret('b');
  t.like(world.counts(), { tokenRequests: 1, challenges: 1, vaultReads: 1 });
});
