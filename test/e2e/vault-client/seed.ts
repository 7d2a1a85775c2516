/** Seeds the fake Vault for the Go client checks and writes the fixture file the Go program reads. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { JwtIssuer, type FakeVault, type FaultHandle } from '../../fakes/vault/index.ts';

const APP_POLICY = `
# What the "app" role's tokens may do.
path "secret/data/app/*" { capabilities = ["read"] }
path "database/creds/readonly" { capabilities = ["read"] }
path "pki/issue/web" { capabilities = ["update"] }
path "sys/leases/revoke" { capabilities = ["update"] }
`;

/** The faults whose hits the test checks afterwards. */
export interface SeededFaults {
  readonly flaky: FaultHandle;
  readonly hang: FaultHandle;
}

/** Mounts, secrets, auth methods, policies and faults for every check of `main.go`'s full mode. */
export async function seedFullMode(vault: FakeVault, dir: string): Promise<SeededFaults> {
  const pods = new JwtIssuer();
  const ci = new JwtIssuer('https://ci.example.com', 'ci');
  const kv = vault.kvV2('secret');
  kv.put('app/db', { password: 'v1', user: 'app' });
  for (const n of ['1', '2', '3', '4']) kv.put('app/rotating', { n });
  kv.softDelete('app/rotating', [2]);
  kv.destroy('app/rotating', [3]);
  kv.put('flaky', { ok: 'yes' });
  kv.put('slow', { x: '1' });
  vault.kvV1('kv').put('app/config', { mode: 'v1' });
  vault.database('database', { readonly: { defaultTtl: 300, maxTtl: 900 } });
  vault.pki('pki', { web: { allowedDomains: ['example.com'], allowSubdomains: true, maxTtl: 86_400 } });
  const bounds = { boundServiceAccountNames: ['app'], boundServiceAccountNamespaces: ['team-a'], audience: 'vault' };
  vault.enableKubernetesAuth({
    publicKeys: [pods.publicKeyPem],
    roles: { app: { ...bounds, tokenPolicies: ['app'], tokenTtl: 600, tokenMaxTtl: 1200 }, short: { ...bounds, tokenPolicies: ['app'], tokenTtl: 1, tokenMaxTtl: 1 } },
  });
  vault.enableJwtAuth({ jwks: ci.jwks, boundIssuer: ci.issuer, roles: { ci: { boundAudiences: ['vault'], boundClaims: { repository: 'courier/app' }, tokenPolicies: ['app'] } } });
  vault.writePolicy('app', APP_POLICY);
  vault.writePolicy('limited', 'path "secret/data/public/*" { capabilities = ["read"] }');
  const team = vault.namespace('team-a');
  team.kvV2('secret').put('app/db', { password: 'in-namespace' });
  team.enableKubernetesAuth({ publicKeys: [pods.publicKeyPem], roles: { app: { ...bounds, tokenPolicies: ['ns-app'] } } });
  team.writePolicy('ns-app', 'path "secret/data/app/*" { capabilities = ["read"] }');
  vault.inject({ path: 'secret/data/limited', fault: { kind: 'rate-limit' } });
  vault.inject({ path: 'secret/data/sealed', fault: { kind: 'sealed' } });
  vault.inject({ path: 'secret/data/standby', fault: { kind: 'standby' } });
  vault.inject({ path: 'secret/data/slow', fault: { kind: 'delay', ms: 300 } });
  const flaky = vault.inject({ path: 'secret/data/flaky', fault: { kind: 'sealed' }, times: 1 });
  const hang = vault.inject({ path: 'secret/data/hang', fault: { kind: 'hang' } });
  const pod = { namespace: 'team-a', serviceAccount: 'app' };
  await writeFixture(dir, {
    addr: vault.url,
    rootToken: vault.rootToken,
    limitedToken: vault.createToken({ policies: ['limited'] }),
    namespace: 'team-a',
    kubernetesJwt: await pods.podToken(pod),
    wrongAudienceJwt: await pods.podToken({ ...pod, audience: 'other' }),
    wrongNamespaceJwt: await pods.podToken({ ...pod, namespace: 'team-b' }),
    foreignKeyJwt: await new JwtIssuer().podToken(pod),
    namespaceJwt: await pods.podToken(pod),
    ciJwt: await ci.sign({ sub: 'repo:courier/app', aud: 'vault', repository: 'courier/app' }),
    ciWrongClaimJwt: await ci.sign({ sub: 'repo:other/app', aud: 'vault', repository: 'other/app' }),
  });
  return { flaky, hang };
}

/** An HTTPS fake requiring a client certificate: the CA and a client certificate go to files for the Go client. */
export async function seedTlsMode(vault: FakeVault, dir: string): Promise<void> {
  if (!vault.tls) throw new Error('the fake was not started with TLS');
  vault.kvV2('secret').put('app/db', { password: 'v1' });
  const client = vault.tls.issueClientCertificate('courier-e2e');
  await writeFile(join(dir, 'ca.pem'), vault.tls.caPem);
  await writeFile(join(dir, 'client.pem'), client.certificatePem);
  await writeFile(join(dir, 'client-key.pem'), client.privateKeyPem, { mode: 0o600 });
  await writeFixture(dir, { addr: vault.url, rootToken: vault.rootToken, caCert: join(dir, 'ca.pem'), clientCert: join(dir, 'client.pem'), clientKey: join(dir, 'client-key.pem') });
}

async function writeFixture(dir: string, fixture: Record<string, string>): Promise<void> {
  await writeFile(join(dir, 'fixture.json'), JSON.stringify(fixture), { mode: 0o600 });
}
