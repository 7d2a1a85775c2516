import http2 from 'node:http2';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, credentials, Metadata, Server, ServerCredentials, status as grpcStatus, type ServiceError } from '@grpc/grpc-js';
import test, { type ExecutionContext } from 'ava';
import fc from 'fast-check';
import { status } from '../../src/errors/status-codes.ts';
import { callUnary, decodeStatusMessage } from '../../src/server/grpc-unary-client.ts';
import { CallFailure, createUnaryServer, deadlineOf, encodeStatusMessage, type UnaryCall, type UnaryMethod, type UnaryServer } from '../../src/server/grpc-unary.ts';

// The server is driven with grpc-js's client, the official one, and with raw HTTP/2 for what a
// well-behaved client never sends.

const raw = (bytes: Buffer) => bytes;
const MAX = 1_024;

interface Harness {
  readonly path: string;
  readonly server: UnaryServer;
  readonly client: Client;
  readonly calls: Array<UnaryCall<Buffer>>;
}

/** A server of one method, `/test.Echo/Call`, with `handle` and raw bytes both ways unless `codec` says otherwise. */
async function start(t: ExecutionContext, handle: (call: UnaryCall<Buffer>) => Promise<Buffer> | Buffer, codec: Partial<Pick<UnaryMethod<Buffer, Buffer>, 'decode' | 'encode'>> = {}): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'courier-grpc-'));
  const path = join(dir, 'test.sock');
  const calls: Array<UnaryCall<Buffer>> = [];
  const echo: UnaryMethod<Buffer, Buffer> = { decode: raw, encode: raw, ...codec, handle: (call) => (calls.push(call), handle(call)) };
  const server = createUnaryServer(new Map([['/test.Echo/Call', echo]]), { maxReceiveBytes: MAX });
  await server.listen(path);
  const client = new Client(`unix:${path}`, credentials.createInsecure());
  t.teardown(async () => {
    client.close();
    server.destroy();
    await rm(dir, { recursive: true, force: true });
  });
  return { path, server, client, calls };
}

function call(client: Client, body: Buffer, deadlineMs = 5_000, method = '/test.Echo/Call'): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(method, raw, raw, body, new Metadata(), { deadline: Date.now() + deadlineMs }, (error: ServiceError | null, value?: Buffer) => (error ? reject(error) : resolve(value as Buffer)));
  });
}

async function failure(promise: Promise<unknown>): Promise<{ code: number; details: string }> {
  try {
    await promise;
  } catch (error) {
    const { code, details } = error as ServiceError;
    return { code, details };
  }
  throw new Error('the call succeeded');
}

/** Sends one raw HTTP/2 request and returns the status headers the server answered with. */
async function rawCall(path: string, headers: http2.OutgoingHttpHeaders, body: Buffer[]): Promise<http2.IncomingHttpHeaders> {
  const session = http2.connect('http://localhost', { createConnection: () => connect(path) });
  try {
    return await new Promise((resolve, reject) => {
      const stream = session.request({ ':method': 'POST', ':path': '/test.Echo/Call', 'content-type': 'application/grpc', ...headers });
      let answer: http2.IncomingHttpHeaders = {};
      stream.on('response', (received) => (answer = { ...received }));
      stream.on('trailers', (received) => (answer = { ...answer, ...received }));
      stream.on('error', reject);
      stream.resume();
      stream.on('end', () => resolve(answer));
      for (const part of body) stream.write(part);
      stream.end();
    });
  } finally {
    session.close();
  }
}

/** One message on the wire: the compressed flag, the big-endian length, the bytes. */
function framed(flag: number, message: Buffer): Buffer {
  const prefix = Buffer.alloc(5);
  prefix[0] = flag;
  prefix.writeUInt32BE(message.length, 1);
  return Buffer.concat([prefix, message]);
}

test('a call answers its response, and the handler gets the request and the client\'s deadline', async (t) => {
  const { client, calls } = await start(t, (call) => Buffer.concat([Buffer.from('echo:'), call.request]));
  const before = Date.now();
  t.is((await call(client, Buffer.from('hello'), 3_000)).toString(), 'echo:hello');
  t.is(calls[0]?.request.toString(), 'hello');
  const deadline = calls[0]?.deadline ?? 0;
  t.true(deadline >= before + 2_500 && deadline <= Date.now() + 3_000, `${deadline - before}`);
  t.is((await call(client, Buffer.alloc(0))).toString(), 'echo:', 'an empty message is a message');
});

test('a CallFailure answers its code and message exactly, percent-encoded on the wire; any other error is INTERNAL with a message of its own', async (t) => {
  const message = 'objects[0].path: "ä/✓ 100%" is not\nallowed 😀';
  const { client } = await start(t, (call) => {
    if (call.request.toString() === 'fail') throw new CallFailure(status.NOT_FOUND, message);
    throw new Error('secret-value');
  });
  t.deepEqual(await failure(call(client, Buffer.from('fail'))), { code: grpcStatus.NOT_FOUND, details: message });
  t.deepEqual(await failure(call(client, Buffer.from('other'))), { code: grpcStatus.INTERNAL, details: 'internal error in courier; see the provider logs' });
});

test('an unknown method is UNIMPLEMENTED and the server keeps serving', async (t) => {
  const { client } = await start(t, (call) => call.request);
  t.deepEqual(await failure(call(client, Buffer.from('x'), 5_000, '/test.Echo/Other')), { code: grpcStatus.UNIMPLEMENTED, details: 'Courier does not serve the method /test.Echo/Other' });
  const long = `/test.Echo/${'x'.repeat(500)}`;
  t.deepEqual(await failure(call(client, Buffer.from('x'), 5_000, long)), { code: grpcStatus.UNIMPLEMENTED, details: `Courier does not serve the method ${long.slice(0, 200)}…` });
  t.is((await call(client, Buffer.from('ok'))).toString(), 'ok');
});

test('a message over the limit is refused from its prefix, before the handler runs, and the server keeps serving', async (t) => {
  const { client, calls } = await start(t, (call) => call.request);
  t.deepEqual(await failure(call(client, Buffer.alloc(MAX + 1))), { code: grpcStatus.RESOURCE_EXHAUSTED, details: `the request message is ${MAX + 1} bytes, more than the ${MAX} bytes Courier accepts` });
  t.is(calls.length, 0);
  t.is((await call(client, Buffer.alloc(MAX, 1))).length, MAX, 'a message of exactly the limit is served');
});

test('a handler still running at the deadline: the server answers DEADLINE_EXCEEDED, and the handler counts as active until it settles', async (t) => {
  let finish: (value: Buffer) => void = () => undefined;
  const { path, server } = await start(t, () => new Promise<Buffer>((resolve) => (finish = resolve)));
  // Raw HTTP/2, so the answer is the server's and not a client's own timer.
  const started = performance.now();
  const answer = await rawCall(path, { 'grpc-timeout': '200m' }, [framed(0, Buffer.from('slow'))]);
  t.like(answer, { ':status': 200, 'grpc-status': String(status.DEADLINE_EXCEEDED), 'grpc-message': 'Deadline exceeded' });
  t.true(performance.now() - started >= 190);
  t.is(server.active(), 1);
  finish(Buffer.from('late'));
  await new Promise((resolve) => setImmediate(resolve));
  t.is(server.active(), 0);
});

test('a response that cannot be encoded is INTERNAL, and the server keeps serving', async (t) => {
  const encode = (message: Buffer) => {
    if (message.toString() === 'unencodable') throw new TypeError('a bug');
    return message;
  };
  const { client, server } = await start(t, (call) => call.request, { encode });
  t.deepEqual(await failure(call(client, Buffer.from('unencodable'))), { code: grpcStatus.INTERNAL, details: 'internal error in courier; see the provider logs' });
  t.is((await call(client, Buffer.from('fine'))).toString(), 'fine');
  t.is(server.active(), 0);
});

test('a grpc-timeout past the longest timer is served as no deadline', async (t) => {
  const { path, calls } = await start(t, (call) => call.request);
  const answer = await rawCall(path, { 'grpc-timeout': '99999999H' }, [framed(0, Buffer.from('x'))]);
  t.like(answer, { ':status': 200, 'grpc-status': '0' });
  t.true((calls[0]?.deadline ?? 0) > Date.now() + 1e12);
});

test('close lets a call in flight finish, then resolves', async (t) => {
  let finish: (value: Buffer) => void = () => undefined;
  const { client, server } = await start(t, () => new Promise<Buffer>((resolve) => (finish = resolve)));
  const inFlight = call(client, Buffer.from('a'));
  while (server.active() === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  let closed = false;
  const closing = server.close().then(() => (closed = true));
  await new Promise((resolve) => setTimeout(resolve, 50));
  t.false(closed);
  finish(Buffer.from('done'));
  t.is((await inFlight).toString(), 'done');
  await closing;
  t.true(closed);
});

test('what well-behaved clients never send gets the status gRPC servers give, and the server keeps serving', async (t) => {
  const { path, client, calls } = await start(t, (call) => call.request);
  const statusOf = async (headers: http2.OutgoingHttpHeaders, body: Buffer[]) => {
    const answer = await rawCall(path, headers, body);
    return { http: answer[':status'], code: answer['grpc-status'], message: decodeStatusMessage(String(answer['grpc-message'] ?? '')) };
  };
  const message = Buffer.from('abc');
  t.deepEqual(await statusOf({}, [framed(0, message)]), { http: 200, code: '0', message: '' }, 'the raw framing itself is right');
  t.deepEqual(await statusOf({}, [framed(0, message).subarray(0, 2), framed(0, message).subarray(2)]), { http: 200, code: '0', message: '' }, 'a prefix split across frames');
  t.deepEqual(await statusOf({ 'grpc-encoding': 'gzip' }, [framed(1, message)]), { http: 200, code: String(status.UNIMPLEMENTED), message: 'Courier does not accept compressed messages; send them uncompressed (grpc-encoding identity)' });
  t.deepEqual(await statusOf({}, [framed(0, message), framed(0, message)]), { http: 200, code: String(status.INTERNAL), message: 'a unary call carried more than one message' });
  t.deepEqual(await statusOf({}, []), { http: 200, code: String(status.INTERNAL), message: 'the call ended before its request message was complete' });
  t.deepEqual(await statusOf({}, [framed(0, message).subarray(0, 6)]), { http: 200, code: String(status.INTERNAL), message: 'the call ended before its request message was complete' });
  t.deepEqual(await statusOf({ 'grpc-timeout': 'soon' }, [framed(0, message)]), { http: 200, code: String(status.INTERNAL), message: 'invalid grpc-timeout "soon"' });
  t.deepEqual(await statusOf({ 'content-type': 'application/json' }, [message]), { http: 415, code: undefined, message: '' });
  t.is(calls.length, 2, 'only the well-formed calls reached the handler');
  t.is((await call(client, Buffer.from('ok'))).toString(), 'ok');
});

test('a message that does not decode is INTERNAL naming the method, and the handler never runs', async (t) => {
  const decode = () => {
    throw new RangeError('index out of range');
  };
  const { client, calls } = await start(t, () => Buffer.alloc(0), { decode });
  t.deepEqual(await failure(call(client, Buffer.from('x'))), { code: grpcStatus.INTERNAL, details: 'the request is not a valid Call message' });
  t.is(calls.length, 0);
});

test('callUnary reads a grpc-js server\'s answers: a message, a status, silence, and no server at all', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'courier-grpc-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const server = new Server();
  server.register('/test.Echo/Call', (call: { request: Buffer }, callback: (error: Partial<ServiceError> | null, value?: Buffer) => void) => {
    if (call.request.toString() === 'fail') callback({ code: grpcStatus.PERMISSION_DENIED, details: 'no: 100% ✓' });
    else callback(null, Buffer.concat([Buffer.from('grpc-js:'), call.request]));
  }, raw, raw, 'unary');
  const path = join(dir, 'grpc-js.sock');
  await new Promise<void>((resolve, reject) => server.bindAsync(`unix:${path}`, ServerCredentials.createInsecure(), (error) => (error ? reject(error) : resolve())));
  t.teardown(() => server.forceShutdown());
  const ok = await callUnary(path, '/test.Echo/Call', Buffer.from('hi'), 2_000);
  t.is(ok.code, status.OK);
  t.is(ok.message?.toString(), 'grpc-js:hi');
  t.like(await callUnary(path, '/test.Echo/Call', Buffer.from('fail'), 2_000), { code: status.PERMISSION_DENIED, details: 'no: 100% ✓' });
  t.like(await callUnary(path, '/test.Echo/Missing', Buffer.from('x'), 2_000), { code: status.UNIMPLEMENTED });
  // A listener that accepts and never speaks HTTP/2.
  const silentPath = join(dir, 'silent.sock');
  const silent = createServer(() => undefined);
  await new Promise<void>((resolve) => silent.listen(silentPath, resolve));
  t.teardown(() => silent.close());
  t.like(await callUnary(silentPath, '/test.Echo/Call', Buffer.from('x'), 200), { code: status.DEADLINE_EXCEEDED });
  await t.throwsAsync(callUnary(join(dir, 'none.sock'), '/test.Echo/Call', Buffer.from('x'), 2_000), { message: /ENOENT/ });
});

test('grpc-timeout: every unit, and anything else refused', (t) => {
  const now = Date.now();
  const near = (value: number | undefined, expected: number) => value !== undefined && Math.abs(value - now - expected) < 1_000;
  t.is(deadlineOf(undefined), Infinity);
  t.true(near(deadlineOf('2H'), 7_200_000));
  t.true(near(deadlineOf('3M'), 180_000));
  t.true(near(deadlineOf('10S'), 10_000));
  t.true(near(deadlineOf('1500m'), 1_500));
  t.true(near(deadlineOf('2000000u'), 2_000));
  t.true(near(deadlineOf('99999999n'), 100));
  for (const bad of ['', '10', 'S', '123456789S', '1.5S', '-1S', '10s', '10 S']) t.is(deadlineOf(bad), undefined, bad);
});

test('status messages are percent-encoded to printable ASCII and decode back to the same text', (t) => {
  t.is(encodeStatusMessage('a%b\nä'), 'a%25b%0A%C3%A4');
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), (text) => {
      const encoded = encodeStatusMessage(text);
      return /^[\x20-\x7e]*$/.test(encoded) && decodeStatusMessage(encoded) === text;
    }),
  );
});
