// The store's flags: checked at start-up naming the flag, and --azure-connect-to with --azure-ca-file route connections while TLS still verifies the real host names.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import test from 'ava';
import { azureStoreModule } from '../../../src/stores/azure/index.ts';
import { azureOptions, parseConnectTo } from '../../../src/stores/azure/options.ts';
import { testSharedParts } from '../../helpers/shared-parts.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { azureFixture, staticAccounts, textOf, VAULT } from './azure-fixture.ts';

const refuses = test.macro({
  exec(t, flags: Record<string, string>, message: string) {
    t.throws(() => azureOptions(flags), { message });
  },
  title: (given) => `refuses ${given ?? ''}`,
});

test('a tenant flag that is not a tenant', refuses, { tenantId: 'not a tenant' }, '--azure-tenant-id: "not a tenant" is not a tenant: a directory (tenant) ID or a verified domain such as contoso.onmicrosoft.com');
test('an authority host over http', refuses, { authorityHost: 'http://login.example.test' }, '--azure-authority-host: "http://login.example.test" must be an https:// URL of a host, such as https://login.microsoftonline.com');
test('a connect-to entry without a port', refuses, { connectTo: 'login.microsoftonline.com=127.0.0.1' }, '--azure-connect-to: "login.microsoftonline.com=127.0.0.1" must be host=address:port, e.g. login.microsoftonline.com=127.0.0.1:8443 or *.vault.azure.net=10.0.0.5:443');

test('reads connect-to routes, wildcards and IPv6 addresses', (t) => {
  t.deepEqual(parseConnectTo('Login.microsoftonline.com=127.0.0.1:8443, *.vault.azure.net=[::1]:9443'), [
    { host: 'login.microsoftonline.com', address: '127.0.0.1', port: 8443 },
    { host: '*.vault.azure.net', address: '::1', port: 9443 },
  ]);
  t.deepEqual(azureOptions({}), { tokenAudience: 'api://AzureADTokenExchange', connectTo: [] });
});

test('refuses a CA file it cannot read when the store starts', async (t) => {
  await t.throwsAsync(azureStoreModule.start({ caFile: '/nonexistent/ca.pem' }, testSharedParts()), { message: '--azure-ca-file: cannot read /nonexistent/ca.pem (ENOENT)' });
});

/** The module started from flags that route to the world's fakes and trust `ca` (none: the system CAs only). */
async function startRouted(t: Parameters<typeof azureFixture>[0], trustTestCa: boolean) {
  const fixture = await azureFixture(t);
  const { world, app } = fixture;
  const dir = await tempDir(t);
  const caFile = join(dir, 'ca.pem');
  await writeFile(caFile, world.caCertificate);
  const entra = world.agent.routeFor('login.microsoftonline.com')?.port ?? 0;
  const vaults = world.agent.routeFor(`${VAULT}.vault.azure.net`)?.port ?? 0;
  const flags = { connectTo: `login.microsoftonline.com=127.0.0.1:${entra},*.vault.azure.net=127.0.0.1:${vaults}`, ...(trustTestCa ? { caFile } : {}) };
  const accounts = staticAccounts({ 'team-a/app': { 'azure.workload.identity/client-id': app.clientId, 'azure.workload.identity/tenant-id': app.tenantId } });
  const [backend] = await azureStoreModule.start(flags, testSharedParts({ serviceAccounts: accounts }));
  if (backend === undefined) throw new Error('no backend');
  t.teardown(() => backend.close?.());
  return { ...fixture, backend };
}

test('reaches Entra ID and Key Vault under their real names through --azure-connect-to and --azure-ca-file', async (t) => {
  const { vault, backend, request, context } = await startRouted(t, true);
  vault.setSecret('routed', 'through the connect agent');
  const [result] = await backend.fetch([request('secrets/routed')], await context());
  t.is(textOf(result), 'through the connect agent');
});

test('does not trust a routed host whose certificate no trusted CA signed', async (t) => {
  const { vault, backend, request, context } = await startRouted(t, false);
  vault.setSecret('routed', 'x');
  const [result] = await backend.fetch([request('secrets/routed')], await context());
  t.regex(textOf(result), /^error: key vault courier-kv could not be reached for secret "routed" in key vault courier-kv: .*(certificate|self.signed)/i);
});

test('starting the store loads no Azure SDK; the first Azure object does', async (t) => {
  const index = new URL('../../../src/stores/azure/index.ts', import.meta.url).href;
  const script = `
    import { registerHooks } from 'node:module';
    const seen = [];
    registerHooks({ resolve(specifier, context, next) { if (specifier.startsWith('@azure/')) seen.push(specifier); return next(specifier, context); } });
    const { azureStoreModule } = await import(${JSON.stringify(index)});
    const [backend] = await azureStoreModule.start({}, { metricsRegistry: new (await import('prom-client')).Registry() });
    const started = seen.length;
    await backend.identityKey({ locator: 'kv1/secrets/db', storeParams: {} }, { signal: AbortSignal.timeout(5000), pod: { name: 'p', namespace: 'n', uid: 'u', serviceAccount: 's' }, tokens: new Map() }).catch(() => undefined);
    process.stdout.write(JSON.stringify({ started, used: [...new Set(seen)].sort() }));
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { cwd: fileURLToPath(new URL('../../../', import.meta.url)), timeout: 30_000 });
  const { started, used } = JSON.parse(stdout) as { started: number; used: string[] };
  t.is(started, 0);
  for (const sdk of ['@azure/identity', '@azure/keyvault-certificates', '@azure/keyvault-keys', '@azure/keyvault-secrets']) t.true(used.includes(sdk), sdk);
});
