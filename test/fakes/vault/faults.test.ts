import { request as httpsRequest } from 'node:https';
import test from 'ava';
import { callVault } from './call.ts';
import { MESSAGES, useFakeVault, type FakeVault } from './index.ts';

async function seeded(t: Parameters<typeof useFakeVault>[0], options: Parameters<typeof useFakeVault>[1] = {}): Promise<FakeVault> {
  const vault = await useFakeVault(t, options);
  vault.kvV2().put('app/db', { a: 1 });
  return vault;
}

const read = (vault: FakeVault, path = 'secret/data/app/db', signal?: AbortSignal) => callVault(vault.url, 'GET', path, { token: vault.rootToken, ...(signal ? { signal } : {}) });

test('a rate-limit fault answers 429 with the quota text and headers, for as many requests as asked', async (t) => {
  const vault = await seeded(t);
  const fault = vault.inject({ path: 'secret/data/*', fault: { kind: 'rate-limit', retryAfterSeconds: 2 }, times: 2 });
  const first = await read(vault);
  t.deepEqual([first.status, first.body], [429, { errors: [MESSAGES.rateLimited('secret/data/app/db')] }]);
  t.is(first.headers.get('retry-after'), '2');
  t.is(first.headers.get('x-ratelimit-remaining'), '0');
  t.is((await read(vault)).status, 429);
  t.is((await read(vault)).status, 200);
  t.is(fault.hits, 2);
  t.deepEqual(vault.counters.requests.map((r) => r.status), [429, 429, 200]);
});

const answers = test.macro({
  async exec(t, fault: Parameters<FakeVault['inject']>[0]['fault'], status: number, errors: string[]) {
    const vault = await seeded(t);
    vault.inject({ path: /app\/db$/, method: 'GET', fault });
    const answer = await read(vault);
    t.deepEqual([answer.status, answer.body], [status, { errors }]);
    t.is((await callVault(vault.url, 'PUT', 'secret/data/app/db', { token: vault.rootToken, body: { data: {} } })).status, 200);
  },
  title: (given, fault: { kind: string }) => given ?? `a ${fault.kind} fault answers like Vault and spares other methods`,
});

test(answers, { kind: 'sealed' }, 503, [MESSAGES.sealed]);
test(answers, { kind: 'standby' }, 500, [MESSAGES.standby]);
test(answers, { kind: 'status', status: 502, errors: ['upstream'] }, 502, ['upstream']);

test('seal() answers 503 to everything, sys/health says sealed, and unseal() restores service', async (t) => {
  const vault = await seeded(t);
  vault.seal();
  t.deepEqual((await read(vault)).body, { errors: [MESSAGES.sealed] });
  const health = await callVault(vault.url, 'GET', 'sys/health');
  t.like(health, { status: 503, body: { sealed: true, initialized: true } });
  vault.unseal();
  t.is((await read(vault)).status, 200);
  t.like(await callVault(vault.url, 'GET', 'sys/health'), { status: 200, body: { sealed: false, standby: false } });
});

test('a delay fault and the global latency hold the answer back', async (t) => {
  const vault = await seeded(t);
  vault.inject({ path: 'secret/data/app/db', fault: { kind: 'delay', ms: 150 }, times: 1 });
  let started = performance.now();
  t.is((await read(vault)).status, 200);
  t.true(performance.now() - started >= 140);
  vault.latencyMs = 100;
  started = performance.now();
  t.is((await read(vault)).status, 200);
  t.true(performance.now() - started >= 90);
});

test('a hung request never answers and a reset drops the connection; both are logged with status 0', async (t) => {
  const vault = await seeded(t);
  const hang = vault.inject({ namespace: '', path: 'secret/data/hang', fault: { kind: 'hang' } });
  vault.inject({ path: 'secret/data/reset', fault: { kind: 'reset' } });
  const abort = new AbortController();
  const hung = read(vault, 'secret/data/hang', abort.signal);
  // Give up only once the fake holds the request (at most 5 s), so the test does not race the connection.
  for (let waited = 0; hang.hits === 0 && waited < 5000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
  abort.abort();
  await t.throwsAsync(hung, { name: 'AbortError' });
  t.is(hang.hits, 1);
  await t.throwsAsync(read(vault, 'secret/data/reset'), { message: 'fetch failed' });
  t.is((await read(vault)).status, 200);
  t.deepEqual(vault.counters.requests.map((r) => [r.path, r.status]), [['secret/data/hang', 0], ['secret/data/reset', 0], ['secret/data/app/db', 200]]);
});

test('clearFaults() and remove() retire faults', async (t) => {
  const vault = await seeded(t);
  const handle = vault.inject({ fault: { kind: 'sealed' } });
  t.is((await read(vault)).status, 503);
  handle.remove();
  t.is((await read(vault)).status, 200);
  vault.inject({ fault: { kind: 'standby' } });
  vault.clearFaults();
  t.is((await read(vault)).status, 200);
});

/** GET over HTTPS with Node's own TLS client: status, or the error's code. */
function httpsGet(vault: FakeVault, tls: { ca?: string; cert?: string; key?: string }): Promise<number | string> {
  return new Promise((resolve) => {
    const request = httpsRequest(`${vault.url}/v1/secret/data/app/db`, { headers: { 'x-vault-token': vault.rootToken }, ...tls }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    request.end();
  });
}

test('an HTTPS fake presents a certificate for 127.0.0.1 signed by its CA', async (t) => {
  const vault = await seeded(t, { tls: true });
  t.regex(vault.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  t.is(await httpsGet(vault, { ca: vault.tls?.caPem ?? '' }), 200);
  t.is(await httpsGet(vault, {}), 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
});

test('an HTTPS fake that requires a client certificate refuses a client without one', async (t) => {
  const vault = await seeded(t, { tls: { requireClientCertificate: true } });
  const ca = vault.tls?.caPem ?? '';
  const client = vault.tls?.issueClientCertificate('courier');
  t.is(await httpsGet(vault, { ca, cert: client?.certificatePem ?? '', key: client?.privateKeyPem ?? '' }), 200);
  t.not(await httpsGet(vault, { ca }), 200);
  t.is(vault.counters.requests.length, 1);
});
