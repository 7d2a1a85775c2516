import test from 'ava';
import { ConfigError } from '../../../src/errors/courier-error.ts';
import { readVaultOptions, type VaultOptions } from '../../../src/stores/vault/flags.ts';
import { resolveTarget, tokenIdentity } from '../../../src/stores/vault/settings.ts';
import { vaultRequest } from './vault-world.ts';

const options = readVaultOptions({ addr: 'https://vault.example:8200', allowedAddrs: 'https://dr.example:8200', caCert: '/etc/courier/vault/ca.pem', tlsFilesDir: '/etc/courier/vault/classes' });

test('uses the default address, namespace and auth mount, and the vault audience', (t) => {
  const target = resolveTarget(vaultRequest('secret/db'), options);
  t.like(target, { address: 'https://vault.example:8200', namespace: '', authMount: 'kubernetes', role: 'app', audience: 'vault', tls: { caCert: '/etc/courier/vault/ca.pem', skipVerify: false } });
});

test('accepts an allowed address however it is spelt', (t) => {
  t.is(resolveTarget(vaultRequest('secret/db', { address: 'HTTPS://DR.example:8200/' }), options).address, 'https://dr.example:8200');
});

const refuses = test.macro((t, params: Record<string, string>, expected: string, given: VaultOptions = options) => {
  const error = t.throws(() => resolveTarget(vaultRequest('secret/db', params), given), { instanceOf: ConfigError });
  t.is(error?.message, expected);
});
test('refuses an address the administrator did not allow, naming the native parameter', refuses, { address: 'https://attacker.example' }, 'vault.address: "https://attacker.example" is not a Vault address this Courier may send pod tokens to (allowed: https://vault.example:8200, https://dr.example:8200); remove it to use the default, or ask the administrator to add it to --vault-allowed-addrs');
test('refuses an address the administrator did not allow, naming the parameter the class wrote', refuses, { address: 'http://vault.example:8200', fields: '{"address":"vaultAddress"}' }, 'vaultAddress: "http://vault.example:8200" is not a Vault address this Courier may send pod tokens to (allowed: https://vault.example:8200, https://dr.example:8200); remove it to use the default, or ask the administrator to add it to --vault-allowed-addrs');
test('asks for an address when there is no default', refuses, {}, 'no Vault address: set vault.address to one of https://dr.example:8200, or start courier with --vault-addr', readVaultOptions({ allowedAddrs: 'https://dr.example:8200' }));
test('refuses a CA file the flags do not allow, listing what they allow', refuses, { caCert: '/etc/shadow', fields: '{"caCert":"vaultCACertPath"}' }, 'vaultCACertPath: "/etc/shadow" is a file on the node that this Courier does not let classes name (allowed: --vault-ca-cert (/etc/courier/vault/ca.pem), files under --vault-tls-files-dir (/etc/courier/vault/classes)); remove it to use the administrator\'s TLS settings');
test('refuses a path that climbs out of the class files directory', refuses, { clientKey: '/etc/courier/vault/classes/../../../root/key.pem', fields: '{"clientKey":"vaultTLSClientKeyPath"}' }, 'vaultTLSClientKeyPath: "/etc/courier/vault/classes/../../../root/key.pem" is a file on the node that this Courier does not let classes name (allowed: files under --vault-tls-files-dir (/etc/courier/vault/classes)); remove it to use the administrator\'s TLS settings');
test('refuses a relative TLS path', refuses, { caDir: 'certs' }, 'caDir: "certs" must be an absolute path');
test('refuses skip-verify unless the administrator allows it', refuses, { skipTlsVerify: 'true', fields: '{"skipTlsVerify":"vaultSkipTLSVerify"}' }, 'vaultSkipTLSVerify: this Courier checks Vault\'s certificate always (the administrator did not start it with --vault-allow-skip-tls-verify); remove the parameter');

test('accepts a class TLS file that repeats the administrator\'s or lies under the class files directory', (t) => {
  const target = resolveTarget(vaultRequest('secret/db', { caCert: '/etc/courier/vault//ca.pem', clientCert: '/etc/courier/vault/classes/team-a/c.pem', clientKey: '/etc/courier/vault/classes/team-a/k.pem', tlsServerName: 'vault.internal' }), options);
  t.deepEqual(target.tls, { caCert: '/etc/courier/vault/ca.pem', clientCert: '/etc/courier/vault/classes/team-a/c.pem', clientKey: '/etc/courier/vault/classes/team-a/k.pem', serverName: 'vault.internal', skipVerify: false });
});

test('skip-verify takes effect when the administrator allows it', (t) => {
  t.true(resolveTarget(vaultRequest('secret/db', { skipTlsVerify: 'true' }), readVaultOptions({ addr: 'https://v', allowSkipTlsVerify: true })).tls.skipVerify);
});

test('the token identity is the address, namespace, auth mount, role and service account, not the pod', (t) => {
  const target = resolveTarget(vaultRequest('secret/db', { namespace: 'team-a', authMount: 'jwt' }), options);
  t.is(tokenIdentity(target, 'ns', 'sa'), JSON.stringify(['https://vault.example:8200', 'team-a', 'jwt', 'app', 'ns', 'sa']));
});
