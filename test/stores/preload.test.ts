import test from 'ava';
import type { Backend } from '../../src/stores/backend.ts';
import { lazyBackend } from '../../src/stores/lazy-backend.ts';
import { parsePreloadChoice, preloadStores, storesToPreload } from '../../src/stores/preload.ts';
import { STORE_MODULES } from '../../src/stores/registry.ts';
import { captureLogs } from '../helpers/log-capture.ts';

const names = (modules: ReadonlyArray<{ name: string }>) => modules.map((module) => module.name);

test('the flag takes auto, all, none or store names, and names what it does not know', (t) => {
  t.is(parsePreloadChoice('auto', STORE_MODULES), 'auto');
  t.is(parsePreloadChoice(' none ', STORE_MODULES), 'none');
  t.deepEqual(parsePreloadChoice('aws, gcp', STORE_MODULES), ['aws', 'gcp']);
  t.throws(() => parsePreloadChoice('aws,ssm', STORE_MODULES), { message: '"aws,ssm" is not auto, all, none or a list of stores (file, aws, gcp, vault, azure)' });
  t.throws(() => parsePreloadChoice(',', STORE_MODULES), { message: /is not auto, all, none or a list of stores/ });
});

test('auto preloads the stores whose flags are set, not those merely always on', (t) => {
  t.deepEqual(names(storesToPreload(STORE_MODULES, { aws: { region: 'eu-west-1' }, azure: {}, gcp: {}, vault: { addr: 'https://vault:8200' } }, 'auto')), ['aws', 'vault']);
  t.deepEqual(names(storesToPreload(STORE_MODULES, {}, 'auto')), []);
  t.deepEqual(names(storesToPreload(STORE_MODULES, {}, 'all')), names(STORE_MODULES));
  t.deepEqual(names(storesToPreload(STORE_MODULES, { aws: { region: 'x' } }, 'none')), []);
  t.deepEqual(names(storesToPreload(STORE_MODULES, {}, ['azure'])), ['azure']);
});

function fakeBackend(store: string): Backend {
  return { store, maxBatchSize: 10, identityKey: () => Promise.resolve(''), fetch: () => Promise.resolve([]) };
}

test('preloading loads each lazy backend once, and a failed load is logged and left to the first Mount', async (t) => {
  const loads: string[] = [];
  let failNext = true;
  const backends = new Map<string, Backend>([
    ['aws-sm', lazyBackend('aws-sm', () => (loads.push('aws-sm'), Promise.resolve(fakeBackend('aws-sm'))))],
    ['aws-ssm', lazyBackend('aws-ssm', () => (loads.push('aws-ssm'), Promise.resolve(fakeBackend('aws-ssm'))))],
    [
      'azure-kv',
      lazyBackend('azure-kv', () => {
        loads.push('azure-kv');
        if (failNext) {
          failNext = false;
          return Promise.reject(new Error('cannot find module @azure/identity'));
        }
        return Promise.resolve(fakeBackend('azure-kv'));
      }),
    ],
  ]);
  const { logger, lines } = captureLogs('debug');
  await preloadStores(storesToPreload(STORE_MODULES, {}, ['aws', 'azure']), backends, logger);
  t.deepEqual(loads, ['aws-sm', 'aws-ssm', 'azure-kv']);
  t.is(backends.get('aws-sm')?.maxBatchSize, 10, 'the real backend is in place');
  t.true(lines.some((line) => line.includes('"store":"aws"') && line.includes('store libraries preloaded')));
  t.true(lines.some((line) => line.includes('"store":"azure"') && line.includes('cannot find module @azure/identity') && line.includes('the first Mount loads them')));
  await backends.get('azure-kv')?.identityKey({ locator: 'x', storeParams: {} }, { signal: new AbortController().signal, pod: { name: 'p', namespace: 'n', uid: 'u', serviceAccount: 's' }, tokens: new Map() });
  t.deepEqual(loads, ['aws-sm', 'aws-ssm', 'azure-kv', 'azure-kv'], 'the first use loads again');
});

test('each store waits until no Mount has run for the quiet period', async (t) => {
  const loads: number[] = [];
  let busy = 1;
  const started = performance.now();
  const backends = new Map<string, Backend>([['aws-sm', lazyBackend('aws-sm', () => (loads.push(performance.now() - started), Promise.resolve(fakeBackend('aws-sm'))))]]);
  const releases = setTimeout(() => (busy = 0), 120);
  t.teardown(() => clearTimeout(releases));
  await preloadStores(storesToPreload(STORE_MODULES, {}, ['aws']), backends, captureLogs().logger, { busy: () => busy, quietMs: 40 });
  t.is(loads.length, 1);
  t.true((loads[0] ?? 0) >= 150, `loaded ${loads[0]} ms after the start, not while the Mount ran (until 120 ms) nor before 40 ms of quiet`);
});

test('nothing is loaded once the server has stopped', async (t) => {
  const loads: string[] = [];
  const backends = new Map<string, Backend>([['aws-sm', lazyBackend('aws-sm', () => (loads.push('aws-sm'), Promise.resolve(fakeBackend('aws-sm'))))]]);
  const stopped = new AbortController();
  const preloading = preloadStores(storesToPreload(STORE_MODULES, {}, ['aws']), backends, captureLogs().logger, { busy: () => 1, quietMs: 20, stopped: stopped.signal });
  setTimeout(() => stopped.abort(), 30);
  await preloading;
  t.deepEqual(loads, []);
});
