import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { parseAllDocuments } from 'yaml';
import { tempDir } from '../helpers/temp-dir.ts';

const COMMAND = fileURLToPath(new URL('../../src/cli/convert-command.ts', import.meta.url));
const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs convertCommand in its own process, as `courier convert` will, so stdout, stderr and the exit code are real. */
function convert(files: readonly string[], flags: Record<string, string> = {}, stdin?: string): Promise<Outcome> {
  const script = `const { convertCommand } = await import(${JSON.stringify(COMMAND)}); process.exitCode = await convertCommand(${JSON.stringify(files)}, ${JSON.stringify(flags)});`;
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ['--input-type=module', '-e', script], { timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
    child.stdin?.end(stdin ?? '');
  });
}

test('a fully translated file prints the class and workload and exits 0', async (t) => {
  const result = await convert([`${FIXTURES}jdbc-deployment.yaml`], { vaultAddress: 'https://vault:8200' });
  t.is(result.code, 0);
  t.is(result.stderr, 'converted 1 workload; everything was translated\n');
  const documents = parseAllDocuments(result.stdout);
  t.deepEqual(Array.isArray(documents) ? documents.map((doc) => doc.get('kind') as string) : [], ['SecretProviderClass', 'Deployment']);
  t.true(result.stdout.includes('\n    vault.address: https://vault:8200\n'));
});

test('a file with untranslated parts still prints the conversion, lists them and exits 2', async (t) => {
  const result = await convert([`${FIXTURES}unsupported-job.yaml`]);
  t.is(result.code, 2);
  t.true(result.stdout.includes('kind: SecretProviderClass'));
  const lines = result.stderr.trimEnd().split('\n');
  t.is(lines.filter((line) => line.includes(': not translated: ')).length, 6);
  t.is(lines.at(-1), 'converted 1 workload; 6 parts were not translated (listed above)');
});

test('several files, stdin among them, are converted in order', async (t) => {
  const stdin = await (await import('node:fs/promises')).readFile(`${FIXTURES}tls-daemonset.yaml`, 'utf8');
  const result = await convert([`${FIXTURES}jdbc-deployment.yaml`, '-'], { vaultAddress: 'https://vault:8200' }, stdin);
  t.is(result.code, 0);
  const documents = parseAllDocuments(result.stdout);
  t.deepEqual(Array.isArray(documents) ? documents.map((doc) => `${doc.get('kind') as string}/${doc.getIn(['metadata', 'name']) as string}`) : [], ['SecretProviderClass/orders-vault', 'Deployment/orders', 'SecretProviderClass/edge-proxy-vault', 'DaemonSet/edge-proxy']);
});

test('an unreadable file exits 1 and says why', async (t) => {
  const dir = await tempDir(t);
  const result = await convert([join(dir, 'absent.yaml')]);
  t.deepEqual(result, { code: 1, stdout: '', stderr: `${join(dir, 'absent.yaml')}: cannot be read (ENOENT)\n` });
});

test('a file without injected workloads exits 1', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'plain.yaml');
  await writeFile(file, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n');
  const result = await convert([file]);
  t.deepEqual(result, { code: 1, stdout: '', stderr: 'no workload with vault.hashicorp.com/agent-inject: "true" was found\n' });
});

test('invalid YAML exits 1 with the line of the problem', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'bad.yaml');
  await writeFile(file, 'kind: Pod\nmetadata: [\n');
  const result = await convert([file]);
  t.deepEqual(result, { code: 1, stdout: '', stderr: `${file}:3: document 1 is not valid YAML (BAD_INDENT)\n` });
});
