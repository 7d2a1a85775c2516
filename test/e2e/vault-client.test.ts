import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import test, { type ExecutionContext } from 'ava';
import { useFakeVault } from '../fakes/vault/index.ts';
import { seedFullMode, seedTlsMode } from './vault-client/seed.ts';

const run = promisify(execFile);
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SOURCE_DIR = join(REPO_ROOT, 'test', 'e2e', 'vault-client');
const BINARY = join(SOURCE_DIR, 'bin', 'vault-client');

/** Every check main.go runs in full mode: a check that silently stops running fails the test too. */
const FULL_CHECKS = [
  'kv2-put', 'kv2-get', 'kv2-get-version', 'kv2-deleted-version', 'kv2-destroyed-version', 'kv2-missing', 'kv2-metadata', 'kv2-cas-mismatch',
  'logical-read-kv2', 'kv1-get', 'kv1-put', 'logical-write-read-kv1', 'logical-read-missing-is-nil', 'no-handler-is-nil',
  'mounts-preflight-kv2', 'mounts-preflight-kv1', 'mounts-preflight-denied',
  'login-kubernetes-logical', 'login-kubernetes-helper', 'login-kubernetes-wrong-audience', 'login-kubernetes-wrong-namespace',
  'login-kubernetes-bad-signature', 'login-kubernetes-unknown-role', 'login-jwt', 'login-jwt-bound-claims',
  'token-lookup-self', 'token-renew-self', 'token-renew-self-capped', 'policy-denied', 'token-revoke-self', 'token-expiry',
  'database-creds', 'lease-renew', 'lease-renew-capped', 'lease-revoke', 'database-unknown-role', 'pki-issue', 'pki-name-not-allowed',
  'namespace-kv2-get', 'namespace-path-prefix', 'namespace-login-scoped',
  'fault-rate-limit', 'fault-sealed', 'fault-standby', 'fault-503-once-retried', 'fault-delay', 'fault-hang-times-out',
];
const TLS_CHECKS = ['tls-client-certificate', 'tls-without-client-certificate', 'tls-unknown-ca'];

interface CheckLine {
  readonly check: string;
  readonly ok: boolean;
  readonly detail?: string;
  readonly error?: string;
}

/** Builds the Go program unless the binary is newer than every Go source, go.mod and go.sum. */
async function buildVaultClient(): Promise<string> {
  const built = await stat(BINARY).then((info) => info.mtimeMs, () => 0);
  const sources = (await readdir(SOURCE_DIR)).filter((name) => /\.go$|^go\.(mod|sum)$/.test(name));
  const newest = Math.max(...(await Promise.all(sources.map(async (name) => (await stat(join(SOURCE_DIR, name))).mtimeMs))));
  if (built > newest) return BINARY;
  await run('bash', [join(REPO_ROOT, 'scripts', 'build-vault-client.sh')], { timeout: 9 * 60_000 });
  return BINARY;
}

async function tempDir(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'courier-vault-client-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Runs the Go program and parses its JSON lines, whether it passed or not. */
async function runChecks(dir: string, mode: 'full' | 'tls'): Promise<{ lines: CheckLine[]; exitCode: number; stderr: string }> {
  // The client reads VAULT_* variables: leave none of this machine's in its environment.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('VAULT_')));
  const outcome = await run(BINARY, ['-fixture', join(dir, 'fixture.json'), '-mode', mode], { env, timeout: 2 * 60_000 }).then(
    ({ stdout, stderr }) => ({ stdout, stderr, exitCode: 0 }),
    (error: { stdout?: string; stderr?: string; code?: number }) => ({ stdout: error.stdout ?? '', stderr: error.stderr ?? '', exitCode: error.code ?? -1 }),
  );
  const lines = outcome.stdout.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as CheckLine);
  return { lines, exitCode: outcome.exitCode, stderr: outcome.stderr };
}

function assertAllPassed(t: ExecutionContext, result: Awaited<ReturnType<typeof runChecks>>, expected: readonly string[]): void {
  const failed = result.lines.filter((line) => !line.ok);
  t.deepEqual(failed, [], `failed checks:\n${failed.map((line) => `${line.check}: ${line.error ?? ''}`).join('\n')}\n${result.stderr}`);
  t.deepEqual(result.lines.map((line) => line.check), [...expected]);
  t.is(result.exitCode, 0);
  t.log(result.lines.map((line) => `${line.check}: ${line.detail ?? ''}`).join('\n'));
}

test.before(async () => {
  await buildVaultClient();
});

test('the official Go client passes every KV, auth, token, lease, PKI, namespace and fault check against the fake', async (t) => {
  const vault = await useFakeVault(t);
  const dir = await tempDir(t);
  const faults = await seedFullMode(vault, dir);
  const result = await runChecks(dir, 'full');
  assertAllPassed(t, result, FULL_CHECKS);
  // The client retried the one injected 503 and the fake counted both attempts.
  t.is(faults.flaky.hits, 1);
  t.is(vault.counters.calls({ method: 'GET', path: 'secret/data/flaky' }), 2);
  t.is(faults.hang.hits, 1);
  t.is(vault.counters.logins('app', { mount: 'kubernetes', namespace: '' }), 4);
  t.is(vault.counters.loginAttempts('app', { mount: 'kubernetes', namespace: '' }), 7);
  const stats = vault.stats();
  t.like(stats.leases, { issued: 1, renewed: 2, revoked: 1 });
  t.is(vault.pki().issued.length, 1);
  t.is(vault.database().credentials.length, 1);
});

test('the official Go client reaches an HTTPS fake only with the CA and a client certificate', async (t) => {
  const vault = await useFakeVault(t, { tls: { requireClientCertificate: true } });
  const dir = await tempDir(t);
  await seedTlsMode(vault, dir);
  const result = await runChecks(dir, 'tls');
  assertAllPassed(t, result, TLS_CHECKS);
  t.is(vault.counters.calls({ path: 'secret/data/app/db', status: 200 }), 1);
});
