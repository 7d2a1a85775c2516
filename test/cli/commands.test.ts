import { createRequire } from 'node:module';
import { readFile, readlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import test from 'ava';
import { startTestCourier, tempDir, writeTree } from '../server/courier-fixture.ts';
import { buildDist, runCli } from './run-cli.ts';

const pkg = createRequire(import.meta.url)('../../package.json') as { version: string };

test.before(async () => {
  await buildDist();
});

/** A SecretProviderClass manifest document with the given `objects` parameter text. */
function spcDocument(name: string, objects: string): string {
  const indented = objects.split('\n').map((line) => `      ${line}`).join('\n');
  return `apiVersion: secrets-store.csi.x-k8s.io/v1\nkind: SecretProviderClass\nmetadata:\n  name: ${name}\n  namespace: team-a\nspec:\n  provider: courier\n  parameters:\n    objects: |\n${indented}\n`;
}

const CLEAN = spcDocument('clean', '- source: file:demo/db.json\n  path: db.json\n- source: file:demo/db.json\n  path: password\n  jsonKey: password');
const STORE = { 'demo/db.json': '{"password":"pw-1"}' };

test('validate prints a one-line summary and exits 0 for a clean file', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'clean.yaml'), `${CLEAN}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: other\n`);
  const result = await runCli(['validate', join(dir, 'clean.yaml')]);
  t.deepEqual(result, { code: 0, stdout: '1 SecretProviderClass in 1 file: no problems found\n', stderr: '' });
});

test('validate lists every problem of a multi-document file as file:document: field: message and exits 1', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'bad.yaml');
  const documents = [
    spcDocument('escapes', '- source: file:demo/db.json\n  path: ../db.json'),
    CLEAN,
    spcDocument('two-problems', '- source: file:demo/db.json\n  mode: "0999"\n  Path: x\n- source: file:/etc/passwd'),
    'apiVersion: secrets-store.csi.x-k8s.io/v1\nkind: SecretProviderClass\nmetadata:\n  name: numbers\nspec:\n  provider: courier\n  parameters:\n    objects: "- source: file:a"\n    retries: 3\n',
    'kind: [broken\n',
  ];
  await writeFile(file, documents.join('---\n'));
  // YAML errors name the line in the file, not in the document; the unclosed "[" is found at the end
  // of the input, the line after "kind: [broken".
  const brokenLine = documents.slice(0, 4).join('---\n').split('\n').length + 2;
  const result = await runCli(['validate', file, join(dir, 'absent.yaml')]);
  t.is(result.code, 1);
  t.is(result.stdout, '');
  t.deepEqual(result.stderr.trimEnd().split('\n'), [
    `${file}:1: objects[0].path: "../db.json" leaves the mount ("..")`,
    `${file}:3: objects[0].Path: unknown key; did you mean "path"?`,
    `${file}:3: objects[0].mode: "0999" is not an octal file mode such as "0400"`,
    `${file}:3: objects[1].source: file locator "/etc/passwd" is absolute; paths are relative to the local store`,
    `${file}:4: spec.parameters.retries: must be a string (SecretProviderClass parameters are a map of strings; quote it or use a block scalar "|")`,
    `${file}:5: yaml: is not valid YAML at line ${brokenLine}: BAD_INDENT`,
    `${join(dir, 'absent.yaml')}: cannot be read (ENOENT)`,
  ]);
});

test('mount runs in-process with --local-store and writes the files atomically into --target', async (t) => {
  const dir = await tempDir(t);
  await writeTree(join(dir, 'store'), STORE);
  await writeFile(join(dir, 'spc.yaml'), CLEAN);
  const target = join(dir, 'target');
  const result = await runCli(['mount', '--spc', join(dir, 'spc.yaml'), '--target', target, '--local-store', join(dir, 'store')]);
  t.is(result.stderr, '');
  t.is(result.code, 0);
  t.regex(result.stdout, new RegExp(`^mounted 2 files into ${target}\\n  db\\.json \\(0644, 19 bytes\\)\\n  password \\(0644, 4 bytes\\)\\nversions: db\\.json@hmac-[0-9a-f]{16}, password@hmac-[0-9a-f]{16}\\n$`));
  t.is(await readFile(join(target, 'password'), 'utf8'), 'pw-1');
  t.is(await readlink(join(target, 'password')), '..data/password');
  t.regex(await readlink(join(target, '..data')), /^\.\.\d{4}_/);
});

test('mount calls a running server with --socket and writes what it returns', async (t) => {
  const { socketPath, dir, logLines } = await startTestCourier(t, { localFiles: STORE });
  await writeFile(join(dir, 'spc.yaml'), CLEAN);
  const target = join(dir, 'target');
  const result = await runCli(['mount', '--spc', join(dir, 'spc.yaml'), '--target', target, '--socket', socketPath, '--namespace', 'ns-from-flag', '--pod-name', 'debug-pod']);
  t.is(result.code, 0, result.stderr);
  t.is(await readFile(join(target, 'db.json'), 'utf8'), STORE['demo/db.json']);
  const mountLine = JSON.parse(logLines.find((line) => line.includes('"msg":"mount"')) ?? '{}') as Record<string, unknown>;
  t.like(mountLine, { namespace: 'ns-from-flag', pod: 'debug-pod', secretProviderClass: 'clean', outcome: 'ok' });
});

test('mount reports a failing SecretProviderClass on stderr and exits 1', async (t) => {
  const dir = await tempDir(t);
  await writeTree(join(dir, 'store'), STORE);
  await writeFile(join(dir, 'spc.yaml'), spcDocument('missing', '- source: file:demo/none'));
  const result = await runCli(['mount', '--spc', join(dir, 'spc.yaml'), '--target', join(dir, 'target'), '--local-store', join(dir, 'store')]);
  t.deepEqual(result, { code: 1, stdout: '', stderr: 'courier mount: objects[0]: local store has no file "demo/none" (NotFoundError)\n' });
});

test('mount takes the socket and the local store from COURIER_* variables', async (t) => {
  const { socketPath, dir } = await startTestCourier(t, { localFiles: STORE });
  await writeFile(join(dir, 'spc.yaml'), CLEAN);
  const overSocket = await runCli(['mount', '--spc', join(dir, 'spc.yaml'), '--target', join(dir, 'a')], { COURIER_SOCKET: socketPath });
  t.is(overSocket.code, 0, overSocket.stderr);
  t.is(await readFile(join(dir, 'a', 'password'), 'utf8'), 'pw-1');
  const inProcess = await runCli(['mount', '--spc', join(dir, 'spc.yaml'), '--target', join(dir, 'b')], { COURIER_LOCAL_STORE: join(dir, 'store') });
  t.is(inProcess.code, 0, inProcess.stderr);
  t.is(await readFile(join(dir, 'b', 'password'), 'utf8'), 'pw-1');
});

test('version prints the runtime name and the package semver', async (t) => {
  t.deepEqual(await runCli(['version']), { code: 0, stdout: `courier ${pkg.version}\n`, stderr: '' });
  t.is((await runCli(['--version'])).stdout, `${pkg.version}\n`);
});

const helps = test.macro({
  async exec(t, command: string, flags: readonly string[]) {
    const result = await runCli([command, '--help']);
    t.is(result.code, 0);
    t.true(result.stdout.startsWith(`Usage: courier ${command} `), result.stdout);
    for (const flag of flags) t.true(result.stdout.includes(flag), flag);
  },
  title: (given, command: string) => given ?? `${command} --help describes its flags`,
});

test(helps, 'serve', ['--socket-dir <dir>', '--provider-name <name>', '--local-store <dir>', '--write-files', '--metrics-addr', '--health-addr', '--log-level', '--grace-period', 'COURIER_SOCKET_DIR']);
test(helps, 'mount', ['--spc <file>', '--target <dir>', '--namespace', '--pod-name', '--service-account', '--token <audience=file>', '--socket <path>', '--local-store <dir>']);
test(helps, 'validate', ['<files...>']);
test(helps, 'version', ['print the version']);

test('serve reports a store that cannot start in one line and exits 1', async (t) => {
  const missing = join(tmpdir(), `courier-missing-store-${process.pid}`);
  const result = await runCli(['serve', '--local-store', missing, '--socket-dir', join(tmpdir(), `courier-sock-${process.pid}`), '--metrics-addr', 'off', '--health-addr', 'off']);
  t.is(result.code, 1);
  t.is(result.stderr, `courier: local store directory ${missing} cannot be used: ENOENT\n`);
});
