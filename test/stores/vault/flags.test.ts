import test from 'ava';
import { ConfigError } from '../../../src/errors/courier-error.ts';
import { DEFAULT_LEASE_FRACTION, normalizeAddress, readVaultOptions, vaultStoreEnabled } from '../../../src/stores/vault/flags.ts';

test('reads the default address, the allowed addresses and the defaults', (t) => {
  const options = readVaultOptions({ addr: 'HTTPS://Vault.Example:8200/', allowedAddrs: 'https://dr.example:8200, http://127.0.0.1:8200' });
  t.is(options.defaultAddress, 'https://vault.example:8200');
  t.deepEqual(options.allowedAddresses, ['https://vault.example:8200', 'https://dr.example:8200', 'http://127.0.0.1:8200']);
  t.is(options.defaultAuthMount, 'kubernetes');
  t.is(options.defaultNamespace, undefined);
  t.is(options.leaseFraction, DEFAULT_LEASE_FRACTION);
  t.deepEqual(options.tls, { allowSkipVerify: false });
  t.true(Object.isFrozen(options));
});

test('reads namespace, auth mount, TLS files and the skip-verify switch', (t) => {
  const options = readVaultOptions({ addr: 'https://v:8200', namespace: '/team-a/', authMount: 'jwt/', caCert: '/etc/vault/ca.pem', caDir: '/etc/vault/cas', tlsServerName: 'vault.internal', clientCert: '/etc/vault/c.pem', clientKey: '/etc/vault/k.pem', tlsFilesDir: '/etc/vault/classes', allowSkipTlsVerify: true });
  t.is(options.defaultNamespace, 'team-a');
  t.is(options.defaultAuthMount, 'jwt');
  t.deepEqual(options.tls, { caCert: '/etc/vault/ca.pem', caDir: '/etc/vault/cas', serverName: 'vault.internal', clientCert: '/etc/vault/c.pem', clientKey: '/etc/vault/k.pem', classFilesDir: '/etc/vault/classes', allowSkipVerify: true });
});

const fractions = test.macro((t, written: string, expected: number) => {
  t.is(readVaultOptions({ addr: 'https://v', leaseFraction: written }).leaseFraction, expected);
});
test('reads a lease fraction written as a ratio', fractions, '2/3', 2 / 3);
test('reads a lease fraction written as a decimal', fractions, '0.5', 0.5);
test('reads a lease fraction of one', fractions, '1', 1);

const refuses = test.macro((t, flags: Record<string, string>, field: string, message: string) => {
  const error = t.throws(() => readVaultOptions(flags), { instanceOf: ConfigError });
  t.is(error?.field, field);
  t.is(error?.detail, message);
});
test('refuses an address that is not a URL', refuses, { addr: 'vault:8200' }, '--vault-addr', '"vault:8200" is not an http:// or https:// URL without credentials, query or fragment');
test('refuses an address with credentials', refuses, { addr: 'https://user:pw@vault:8200' }, '--vault-addr', '"https://user:pw@vault:8200" is not an http:// or https:// URL without credentials, query or fragment');
test('refuses an allowed address with a query', refuses, { addr: 'https://v', allowedAddrs: 'https://dr?x=1' }, '--vault-allowed-addrs', '"https://dr?x=1" is not an http:// or https:// URL without credentials, query or fragment');
test('refuses a client certificate without its key', refuses, { addr: 'https://v', clientCert: '/c.pem' }, '--vault-client-key', '--vault-client-cert and --vault-client-key go together; give both or neither');
test('refuses a relative CA path', refuses, { addr: 'https://v', caCert: 'ca.pem' }, '--vault-ca-cert', '"ca.pem" must be an absolute path');
test('refuses a lease fraction above one', refuses, { addr: 'https://v', leaseFraction: '1.5' }, '--vault-lease-fraction', '"1.5" is not a fraction between 0 and 1, such as 0.5, 2/3 or 0.9');
test('refuses a lease fraction of zero', refuses, { addr: 'https://v', leaseFraction: '0/3' }, '--vault-lease-fraction', '"0/3" is not a fraction between 0 and 1, such as 0.5, 2/3 or 0.9');

test('is enabled by an address or an allow-list, not by TLS settings alone', (t) => {
  t.true(vaultStoreEnabled({ addr: 'https://v' }));
  t.true(vaultStoreEnabled({ allowedAddrs: 'https://v' }));
  t.false(vaultStoreEnabled({ caCert: '/ca.pem' }));
  t.false(vaultStoreEnabled({ addr: ' ' }));
});

const normalizes = test.macro((t, written: string, expected: string | undefined) => {
  t.is(normalizeAddress(written), expected);
});
test('drops the default https port and the trailing slash', normalizes, 'https://vault:443/', 'https://vault');
test('keeps a path prefix of a Vault behind a proxy', normalizes, 'https://proxy.example/vault/', 'https://proxy.example/vault');
test('refuses a scheme other than http and https', normalizes, 'ftp://vault', undefined);
test('refuses a fragment', normalizes, 'https://vault#x', undefined);
