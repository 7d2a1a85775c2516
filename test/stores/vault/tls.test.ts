import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import type { StoreFlags } from '../../../src/stores/store-module.ts';
import type { FakeVault } from '../../fakes/vault/index.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { errorOf, startVaultWorld, textOf, vaultRequest, type VaultWorld } from './vault-world.ts';

/** Paths of the TLS files a test writes for an HTTPS fake. */
interface TlsFiles {
  readonly ca: string;
  readonly caDir: string;
  readonly cert: string;
  readonly key: string;
  /** --vault-tls-files-dir, holding a copy of the CA. */
  readonly classes: string;
  /** A directory outside it, holding another copy. */
  readonly outside: string;
}

async function writeTlsFiles(t: ExecutionContext, vault: FakeVault): Promise<TlsFiles> {
  const dir = await tempDir(t);
  const tls = vault.tls;
  if (!tls) throw new Error('the fake serves plain HTTP');
  const client = tls.issueClientCertificate('courier');
  const files = { ca: join(dir, 'ca.pem'), caDir: join(dir, 'cas'), cert: join(dir, 'client.pem'), key: join(dir, 'client-key.pem'), classes: join(dir, 'classes'), outside: join(dir, 'outside') };
  await Promise.all([mkdir(files.caDir), mkdir(files.classes), mkdir(files.outside)]);
  await Promise.all([
    writeFile(files.ca, tls.caPem),
    writeFile(join(files.caDir, 'vault-ca.crt'), tls.caPem),
    writeFile(join(files.caDir, 'README'), 'not a certificate'),
    writeFile(files.cert, client.certificatePem),
    writeFile(files.key, client.privateKeyPem),
    writeFile(join(files.classes, 'ca.pem'), tls.caPem),
    writeFile(join(files.outside, 'ca.pem'), tls.caPem),
  ]);
  return files;
}

/** A world on an HTTPS fake; `flags` are made from the files written for it. */
async function httpsWorld(t: ExecutionContext, flags: (files: TlsFiles) => StoreFlags, requireClientCertificate = false): Promise<{ world: VaultWorld; files: TlsFiles }> {
  let written: TlsFiles | undefined;
  const world = await startVaultWorld(t, {
    fake: { tls: { requireClientCertificate } },
    flags: async (vault) => flags((written = await writeTlsFiles(t, vault))),
  });
  return { world, files: written as TlsFiles };
}

const DB = '{"user":"app","password":"s3cret"}';

test('verifies Vault\'s certificate against --vault-ca-cert', async (t) => {
  const { world } = await httpsWorld(t, (files) => ({ caCert: files.ca }));
  t.true(world.vault.url.startsWith('https://'));
  t.is(textOf(t, (await world.fetch([vaultRequest('secret/app/db')]))[0]), DB);
});

test('reads the CA certificates of --vault-ca-dir', async (t) => {
  const { world } = await httpsWorld(t, (files) => ({ caDir: files.caDir }));
  t.is(textOf(t, (await world.fetch([vaultRequest('secret/app/db')]))[0]), DB);
});

test('a certificate the system roots do not vouch for fails with FAILED_PRECONDITION, not a retry', async (t) => {
  const { world } = await httpsWorld(t, () => ({}));
  const error = await t.throwsAsync(async () => world.store.identityKey(vaultRequest('secret/app/db'), await world.context()));
  t.is(error?.name, 'CourierError');
  t.regex(error?.message ?? '', /^the TLS connection to Vault at https:\/\/127\.0\.0\.1:\d+ failed \(UNABLE_TO_VERIFY_LEAF_SIGNATURE: unable to verify the first certificate\); check --vault-ca-cert \/ --vault-ca-dir, --vault-tls-server-name and the client certificate$/);
});

test('presents the client certificate a listener requires', async (t) => {
  const { world } = await httpsWorld(t, (files) => ({ caCert: files.ca, clientCert: files.cert, clientKey: files.key }), true);
  t.is(textOf(t, (await world.fetch([vaultRequest('secret/app/db')]))[0]), DB);
});

test('without the client certificate a listener requires, the Mount fails', async (t) => {
  const { world } = await httpsWorld(t, (files) => ({ caCert: files.ca }), true);
  const error = await t.throwsAsync(async () => world.store.identityKey(vaultRequest('secret/app/db'), await world.context()));
  t.regex(error?.message ?? '', /^(the TLS connection to Vault at https:\/\/127\.0\.0\.1:\d+ failed|Vault at https:\/\/127\.0\.0\.1:\d+ could not be reached for the login at auth\/kubernetes)/);
});

test('uses a CA file a class names under --vault-tls-files-dir', async (t) => {
  const { world, files } = await httpsWorld(t, (written) => ({ tlsFilesDir: written.classes }));
  t.is(textOf(t, (await world.fetch([vaultRequest('secret/app/db', { caCert: join(files.classes, 'ca.pem') })]))[0]), DB);
});

test('refuses a symlink under --vault-tls-files-dir that points outside it', async (t) => {
  const { world, files } = await httpsWorld(t, (written) => ({ tlsFilesDir: written.classes }));
  await symlink(join(files.outside, 'ca.pem'), join(files.classes, 'link.pem'));
  const error = await t.throwsAsync(async () => world.store.identityKey(vaultRequest('secret/app/db', { caCert: join(files.classes, 'link.pem') }), await world.context()));
  t.is(error?.message, `the TLS file "${join(files.classes, 'link.pem')}" resolves to "${join(files.outside, 'ca.pem')}", outside --vault-tls-files-dir; Courier does not read it`);
  t.is(world.vault.counters.requests.length, 0, 'nothing was sent');
});

test('skips certificate checks for a class only when the administrator allows it', async (t) => {
  const { world } = await httpsWorld(t, () => ({ allowSkipTlsVerify: true }));
  t.is(textOf(t, (await world.fetch([vaultRequest('secret/app/db', { skipTlsVerify: 'true' })]))[0]), DB);
});

test('accepts a legacy vaultCAPem only when it is the administrator\'s CA', async (t) => {
  const { world } = await httpsWorld(t, (files) => ({ caCert: files.ca }));
  const pem = world.vault.tls?.caPem ?? '';
  t.is(textOf(t, (await world.fetch([vaultRequest('secret/app/db', { caPem: pem })]))[0]), DB);
  const [other] = await world.fetch([vaultRequest('secret/app/db', { caPem: '-----BEGIN CERTIFICATE-----\nMIIBAA==\n-----END CERTIFICATE-----' })]);
  t.is(errorOf(t, other), 'ConfigError: vaultCAPem: Courier trusts only the CA certificates the administrator configured (--vault-ca-cert); remove vaultCAPem, or make it that file\'s certificates');
});

test('refuses an address the administrator did not allow before any token is sent', async (t) => {
  const world = await startVaultWorld(t);
  const [result] = await world.fetch([vaultRequest('secret/app/db')]);
  t.true(result?.ok);
  world.vault.counters.reset();
  const error = await t.throwsAsync(async () => world.store.identityKey(vaultRequest('secret/app/db', { address: 'http://127.0.0.2:8200' }), await world.context()));
  t.regex(error?.message ?? '', /^vault\.address: "http:\/\/127\.0\.0\.2:8200" is not a Vault address this Courier may send pod tokens to/);
  t.is(world.vault.counters.requests.length, 0);
  await t.throwsAsync(world.store.fetch([vaultRequest('secret/app/db', { address: 'http://127.0.0.2:8200' })], await world.context()), { name: 'ConfigError' });
  t.is(world.vault.counters.requests.length, 0);
});
