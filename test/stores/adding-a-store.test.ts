import { join } from 'node:path';
import { status, type ServiceError } from '@grpc/grpc-js';
import test from 'ava';
import { Command } from 'commander';
import { addStoreFlags, readStoreFlags } from '../../src/cli/store-flags.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import { startCourier } from '../../src/server/courier-server.ts';
import { DEFAULT_SERVE_OPTIONS } from '../../src/server/options.ts';
import { createStoreRegistry, STORE_MODULES } from '../../src/stores/registry.ts';
import { closeStores, startStores } from '../../src/stores/start-stores.ts';
import { captureLogs } from '../helpers/log-capture.ts';
import { connectProvider } from '../helpers/provider-client.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { testSharedParts } from '../helpers/shared-parts.ts';
import { driverAttributes } from '../server/courier-fixture.ts';
import { echoStoreModule } from './fixtures/echo-store.ts';

// Adding a store is one folder (here: test/stores/fixtures/echo-store.ts) and one line in the list of
// modules: its flag reaches the command line, its parameter and locator checks reach planning, its
// dialect gets a compatibility socket, and it mounts through the real server.

const MODULES = [...STORE_MODULES, echoStoreModule];

async function startEcho(t: Parameters<typeof tempDir>[0], argv: readonly string[]) {
  const command = addStoreFlags(new Command('serve').exitOverride(), MODULES);
  command.parse([...argv], { from: 'user' });
  const flags = readStoreFlags(command.opts(), MODULES, {});
  const registry = createStoreRegistry(MODULES);
  const backends = await startStores(registry, flags, testSharedParts());
  const dir = await tempDir(t);
  const options = { ...DEFAULT_SERVE_OPTIONS, socketDir: join(dir, 'sockets'), compat: ['echo'], metricsAddr: 'off', healthAddr: 'off', gracePeriodMs: 2_000 };
  const courier = await startCourier(options, { logger: captureLogs('info').logger, metrics: createMetrics(), backends, catalog: registry.catalog });
  const native = connectProvider(join(options.socketDir, 'courier.sock'));
  const echo = connectProvider(join(options.socketDir, 'echo.sock'));
  t.teardown(async () => {
    native.close();
    echo.close();
    await courier.shutdown();
    await closeStores(backends);
  });
  return { native, echo, backends };
}

test('the store flag reaches the command line and switches the store on', async (t) => {
  const { backends } = await startEcho(t, ['--echo-prefix', 'hi-']);
  t.true(backends.has('echo'));
  const off = await startStores(createStoreRegistry(MODULES), {}, testSharedParts());
  t.teardown(() => closeStores(off));
  t.false(off.has('echo'));
});

test('a native class mounts from the new store with its parameter', async (t) => {
  const { native } = await startEcho(t, ['--echo-prefix', 'hi-']);
  const response = await native.mount({ attributes: driverAttributes({ objects: '- source: echo:there\n  path: greeting\n', 'echo.suffix': '!' }) });
  t.deepEqual(response.files.map((file) => [file.path, Buffer.from(file.contents).toString()]), [['greeting', 'hi-there!']]);
  t.deepEqual(response.objectVersion, [{ id: 'greeting', version: 'e1' }]);
});

test('the new store\'s dialect is served on its compatibility socket', async (t) => {
  const { echo } = await startEcho(t, ['--echo-prefix', '>']);
  const response = await echo.mount({ attributes: driverAttributes({ names: '- a\n- b\n' }) });
  t.deepEqual(response.files.map((file) => [file.path, Buffer.from(file.contents).toString()]), [['a', '>a'], ['b', '>b']]);
});

const refuses = test.macro(async (t, parameters: Record<string, string>, message: string) => {
  const { native } = await startEcho(t, ['--echo-prefix', 'hi-']);
  const error = (await t.throwsAsync(native.mount({ attributes: driverAttributes(parameters) }))) as ServiceError | undefined;
  t.is(error?.code, status.INVALID_ARGUMENT);
  t.is(error?.details, message);
});

test('the store\'s parameter check names the parameter', refuses, { objects: '- source: echo:x\n', 'echo.suffix': 'toolong' }, 'echo.suffix: "toolong" is longer than 3 characters');
test('the store\'s locator check names the source', refuses, { objects: '- source: "echo:a b"\n  path: x\n' }, 'objects[0].source: "a b" has a space; echo names have none');
test('a mistyped parameter of the store gets a suggestion', refuses, { objects: '- source: echo:x\n', 'echo.sufix': '!' }, 'echo.sufix: unknown parameter for the native dialect; did you mean "echo.suffix"?');
