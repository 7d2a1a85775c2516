import { createServer, Agent } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import test from 'ava';
import { boundedBody } from '../../src/http/bounded-body.ts';
import { MAX_REPLY_BYTES, sendVaultCall, TransportError } from '../../src/stores/vault/http.ts';

function stream(chunks: readonly string[]): IncomingMessage {
  const res = new PassThrough();
  for (const chunk of chunks) res.write(Buffer.from(chunk));
  res.end();
  return res as unknown as IncomingMessage;
}

test('a body within the limit is gathered whole', async (t) => {
  const res = stream(['ab', 'cd', 'e']);
  let tooLarge = 0;
  const body = boundedBody(res, 5, () => (tooLarge += 1));
  await new Promise((resolve) => res.on('end', resolve));
  t.is(body().toString(), 'abcde');
  t.is(tooLarge, 0);
});

test('past the limit the callback runs once and nothing more is kept', async (t) => {
  const res = stream(['ab', 'cd', 'ef', 'gh']);
  let tooLarge = 0;
  const body = boundedBody(res, 5, () => (tooLarge += 1));
  await new Promise((resolve) => res.on('end', resolve));
  t.is(tooLarge, 1);
  t.is(body().toString(), 'abcd');
});

test('a Vault answer over the limit fails the call with too-large', async (t) => {
  const server = createServer((_request, response) => {
    response.setHeader('content-type', 'application/json');
    response.end(`"${'x'.repeat(MAX_REPLY_BYTES)}"`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;
  const agent = new Agent();
  t.teardown(() => agent.destroy());
  const error = await t.throwsAsync(sendVaultCall({ method: 'GET', address: `http://127.0.0.1:${port}`, path: 'secret/data/db', agent, timeoutMs: 10_000, signal: new AbortController().signal }));
  t.true(error instanceof TransportError);
  t.is((error as TransportError).kind, 'too-large');
  t.is(error?.message, `the answer is larger than ${MAX_REPLY_BYTES} bytes`);
});
