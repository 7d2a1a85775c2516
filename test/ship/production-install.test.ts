import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import test from 'ava';
import { connectProvider } from '../helpers/provider-client.ts';
import { copyPairs, copySteps, lastOf, readDockerfile, type Stage } from './dockerfile.ts';

// Replays the Dockerfile without a Docker engine: each stage in a directory of its own, its COPYs done
// with cp and its RUN lines run verbatim by sh (npm offline-capable from the cache), then the runtime
// stage's ENTRYPOINT started with Node.js 26.
const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const node = join(root, 'node_modules/.bin/node');
const stages = readDockerfile(join(root, 'Dockerfile'));
const runtime = stages.at(-1) as Stage;

interface Image {
  readonly app: string;
  readonly filesAfterInstall: readonly string[];
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => relative(dir, join(entry.parentPath, entry.name))).sort();
}

test.before(async (t) => {
  t.timeout(300_000, 'replaying the image build');
  const scratch = await mkdtemp(join(tmpdir(), 'courier-image-'));
  t.context = { app: join(scratch, runtime.name) };
  const dirs = new Map(stages.map((stage) => [stage.name, join(scratch, stage.name)]));
  // The image's npm runs on the image's Node.js 26; here that is the repository's.
  const env = { ...process.env, PATH: `${join(root, 'node_modules/.bin')}:${process.env['PATH'] ?? ''}`, npm_config_prefer_offline: 'true', npm_config_update_notifier: 'false' };
  for (const stage of stages) {
    const dir = dirs.get(stage.name) ?? '';
    await mkdir(dir, { recursive: true });
    for (const instruction of stage.instructions) {
      if (instruction.keyword === 'RUN') await run('/bin/sh', ['-c', instruction.args], { cwd: dir, env, timeout: 150_000 });
      if (instruction.keyword !== 'COPY') continue;
      const [step] = copySteps([{ ...stage, instructions: [instruction] }]);
      for (const [from, to] of step ? copyPairs(step, stages, root, dirs) : []) await cp(from, to, { recursive: true });
    }
  }
  const app = dirs.get(runtime.name) ?? '';
  t.context = { app, filesAfterInstall: await listFiles(app) } satisfies Image;
});

test.after.always(async (t) => {
  const image = t.context as Partial<Image> | undefined;
  if (image?.app !== undefined) await rm(join(image.app, '..'), { recursive: true, force: true });
});

test('the runtime image holds only the compiled code, its production dependencies and the contract', async (t) => {
  const { app } = t.context as Image;
  t.deepEqual((await readdir(app)).sort(), ['dist', 'node_modules', 'package.json', 'proto']);
  t.deepEqual((await listFiles(join(app, 'dist'))).filter((file) => !file.endsWith('.js') && !file.endsWith('.js.map')), []);
});

test('installs exactly the production packages of the lockfile', async (t) => {
  const { app } = t.context as Image;
  const lock = JSON.parse(await readFile(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
  const topLevel = Object.entries(lock.packages).filter(([path]) => /^node_modules\/(@[^/]+\/)?[^/]+$/.test(path));
  const production = topLevel.filter(([, entry]) => entry.dev !== true).map(([path]) => path);
  const development = topLevel.filter(([, entry]) => entry.dev === true).map(([path]) => path);
  t.true(development.includes('node_modules/typescript') && development.includes('node_modules/node'), 'the lockfile marks the toolchain as dev');
  for (const path of production) t.true((await stat(join(app, path))).isDirectory(), path);
  for (const path of development) await t.throwsAsync(stat(join(app, path)), { code: 'ENOENT' }, path);
});

test('the entrypoint serves Version on its socket, writes nothing else and exits 0 on SIGTERM', async (t) => {
  t.timeout(60_000);
  const { app, filesAfterInstall } = t.context as Image;
  const socketDir = await mkdtemp(join(tmpdir(), 'courier-sock-'));
  t.teardown(() => rm(socketDir, { recursive: true, force: true }));
  const [, script, ...command] = JSON.parse(lastOf(runtime, 'ENTRYPOINT') ?? '[]') as string[];
  const entry = join(app, relative('/app', script ?? ''));
  const child = spawn(node, [entry, ...command, '--socket-dir', socketDir, '--metrics-addr', 'off', '--health-addr', '127.0.0.1:0'], { cwd: app, env: { PATH: '/usr/bin:/bin', NODE_ENV: 'production' }, stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => child.kill('SIGKILL'));
  const started = await waitForLine(child.stdout, 'courier is serving');
  const socket = join(socketDir, 'courier.sock');
  t.deepEqual(started['sockets'], [socket]);
  const client = connectProvider(socket);
  t.teardown(() => client.close());
  const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string };
  t.like(await client.version(), { version: 'v1alpha1', runtimeName: 'courier', runtimeVersion: manifest.version });
  const ready = await fetch(`${String(started['health'])}/readyz`);
  t.is(ready.status, 200);
  child.kill('SIGTERM');
  const [code] = (await once(child, 'exit')) as [number | null];
  t.is(code, 0);
  await t.throwsAsync(stat(socket), { code: 'ENOENT' }, 'the socket is removed at shutdown');
  t.deepEqual(await listFiles(app), filesAfterInstall, 'nothing is written under the image root');
});

/** Resolves with the first JSON log line whose msg is `message`; keeps reading (and discarding) after it. */
function waitForLine(stream: NodeJS.ReadableStream, message: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    stream.on('data', (chunk) => {
      buffer += String(chunk);
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        const record = line.startsWith('{') ? (JSON.parse(line) as Record<string, unknown>) : {};
        if (record['msg'] === message) resolve(record);
      }
    });
    stream.on('end', () => reject(new Error(`the process ended before logging "${message}"`)));
  });
}
