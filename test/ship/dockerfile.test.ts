import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { copySteps, isIgnored, lastOf, readDockerfile, readDockerignore, repositoryPathOf, runCommands, type Stage } from './dockerfile.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const stages = readDockerfile(join(root, 'Dockerfile'));
const ignored = readDockerignore(join(root, '.dockerignore'));
const runtime = stages.at(-1) as Stage;

function stage(name: string): Stage {
  const found = stages.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`Dockerfile has no stage "${name}"`);
  return found;
}

test('builds on the full Node.js 26 image and runs on distroless Node.js 26', (t) => {
  t.deepEqual(stages.map(({ name, image }) => [name, image]), [
    ['build', 'node:26-trixie'],
    ['deps', 'node:26-trixie'],
    ['2', 'gcr.io/distroless/nodejs26-debian13:nonroot'],
  ]);
});

test('every path copied from the build context exists and is not excluded by .dockerignore', (t) => {
  const fromContext = copySteps(stages).filter((step) => step.from === undefined).flatMap((step) => step.sources);
  t.deepEqual(fromContext, ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'src', 'proto', 'package.json', 'package-lock.json', 'package.json', 'proto']);
  for (const source of fromContext) {
    t.true(existsSync(join(root, source)), `${source} exists`);
    t.false(isIgnored(source, ignored), `${source} is in the build context`);
  }
});

test('every path copied from another stage exists after a local build and install', (t) => {
  const fromStages = copySteps(stages).filter((step) => step.from !== undefined);
  t.deepEqual(fromStages.map((step) => `${step.from ?? ''}:${step.sources.join(',')}`), ['deps:/app/node_modules', 'build:/src/dist']);
  for (const step of fromStages) {
    for (const source of step.sources) {
      const path = repositoryPathOf(stage(step.from ?? ''), source);
      t.true(existsSync(join(root, path)), `${path} exists (npm run build first)`);
    }
  }
  t.true(existsSync(join(root, 'dist/cli/main.js')), 'the entrypoint script is built');
});

test('keeps tests, fixtures, local stores and tooling out of the build context', (t) => {
  for (const path of ['test/ship/dockerfile.ts', 'examples/local-store/demo/db.json', 'bench/run.mjs', '.venv/bin/python', 'docs/install.md', 'node_modules/yaml', 'src/node_modules/x', 'manifests/base/daemonset.yaml', 'run/courier.sock', 'README.md']) {
    t.true(isIgnored(path, ignored), path);
  }
  t.false(isIgnored('src/cli/main.ts', ignored));
});

test('installs production dependencies only, without install scripts', (t) => {
  t.deepEqual(runCommands(stage('deps')), ['npm ci --omit=dev --ignore-scripts --no-audit --no-fund']);
});

test('runs as a non-root user with courier serve as the entrypoint', (t) => {
  t.is(lastOf(runtime, 'USER'), '65532:65532');
  t.deepEqual(JSON.parse(lastOf(runtime, 'ENTRYPOINT') ?? '[]'), ['/nodejs/bin/node', '/app/dist/cli/main.js', 'serve']);
  t.is(lastOf(runtime, 'WORKDIR'), '/app');
  t.deepEqual(runCommands(runtime), [], 'the runtime image needs no shell');
});
