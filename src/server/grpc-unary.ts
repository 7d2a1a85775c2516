/** Unary gRPC over node:http2: the part of the gRPC protocol the driver's contract uses, as a server (grpc-unary-client.ts is the client). */
// Each call is one POST whose body is one length-prefixed message; the answer is one length-prefixed
// message and the `grpc-status` trailer, or a trailers-only response for a failure. No streaming, no
// compression, no metadata: the contract has none. Written against the protocol's HTTP/2 mapping; grpc-js
// did the same work with several objects and closures per call and a copy of every response, and loading
// it cost memory on every node (docs/operations.md#footprint).
import http2, { type Http2Server, type Http2Session, type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import { status } from '../errors/status-codes.ts';

/** What a handler gets: the decoded request and the client's deadline. */
export interface UnaryCall<Request> {
  readonly request: Request;
  /** The client's deadline in epoch milliseconds (from `grpc-timeout`); Infinity when it sent none. */
  readonly deadline: number;
}

/** A failure a handler throws to answer with this status and message. */
export class CallFailure extends Error {
  readonly code: status;

  constructor(code: status, details: string) {
    super(details);
    this.name = 'CallFailure';
    this.code = code;
  }
}

/** One unary method: its codec and its handler. A handler that throws anything but a CallFailure answers INTERNAL. */
export interface UnaryMethod<Request = unknown, Response = unknown> {
  decode(bytes: Buffer): Request;
  /** The response's encoding, or chunks whose concatenation it is (sent without joining them). */
  encode(message: Response): Uint8Array | readonly Uint8Array[];
  handle(call: UnaryCall<Request>): Promise<Response> | Response;
}

/** A server for a set of methods by path (`/package.Service/Method`), listening on one Unix socket. */
export interface UnaryServer {
  /** Listens on the socket `path`; rejects if it cannot. */
  listen(this: void, path: string): Promise<void>;
  /** Handlers started and not yet settled. */
  active(): number;
  /** Accepts no more connections, asks every client to open no more calls (GOAWAY), and resolves once every connection has closed. */
  close(): Promise<void>;
  /** Closes every connection now. */
  destroy(): void;
}

/** The gRPC wire: a 5-byte prefix (compressed flag, big-endian length) before each message. */
export const PREFIX_BYTES = 5;

/** The prefix of an uncompressed message of `length` bytes. */
export function messagePrefix(length: number): Buffer {
  const prefix = Buffer.alloc(PREFIX_BYTES);
  prefix.writeUInt32BE(length, 1);
  return prefix;
}

export const GRPC_CONTENT_TYPE = 'application/grpc';

/** grpc-timeout units, in milliseconds. */
const TIMEOUT_UNITS: Readonly<Record<string, number>> = { H: 3_600_000, M: 60_000, S: 1_000, m: 1, u: 0.001, n: 0.000_001 };

/** What a server is built with. */
export interface UnaryServerOptions {
  /** The largest request message, checked from its prefix before its bytes are kept. */
  readonly maxReceiveBytes: number;
  /** Told of errors of the listening socket after it listens (the server goes on). */
  readonly onError?: (error: Error) => void;
}

/** The message of a failure that is not a CallFailure: a bug, whose text is for the logs only. */
const INTERNAL_MESSAGE = 'internal error in courier; see the provider logs';

/** The longest delay setTimeout takes. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Builds the server. */
export function createUnaryServer(methods: ReadonlyMap<string, UnaryMethod>, options: UnaryServerOptions): UnaryServer {
  let active = 0;
  const sessions = new Set<Http2Session>();
  // Node's per-session memory check refuses new streams once outbound data queues up; Courier bounds
  // every response itself (the Mount output budgets), so the check is off, as gRPC servers set it.
  const server: Http2Server = http2.createServer({ maxSessionMemory: Number.MAX_SAFE_INTEGER });
  server.on('session', (session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
    // A client that goes away mid-frame: the session ends, the server keeps serving.
    session.on('error', () => undefined);
  });
  server.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => {
    const method = accept(stream, headers, methods);
    if (!method) return;
    const deadline = deadlineOf(headers['grpc-timeout']);
    if (deadline === undefined) return answerStatus(stream, status.INTERNAL, `invalid grpc-timeout "${quoted(String(headers['grpc-timeout']))}"`);
    readMessage(stream, options.maxReceiveBytes, (body) => {
      let request: unknown;
      try {
        request = method.decode(body);
      } catch {
        return answerStatus(stream, status.INTERNAL, `the request is not a valid ${methodName(headers)} message`);
      }
      active += 1;
      const remaining = deadline - Date.now();
      // Past the longest timer Node can set (about 24 days) a deadline is as good as none.
      const timer = remaining <= MAX_TIMER_MS ? setTimeout(() => answerStatus(stream, status.DEADLINE_EXCEEDED, 'Deadline exceeded'), Math.max(0, remaining)) : undefined;
      void Promise.resolve({ request, deadline })
        .then((call) => method.handle(call))
        .then(
          (response) => answerMessage(stream, () => method.encode(response)),
          (error: unknown) => {
            if (error instanceof CallFailure) answerStatus(stream, error.code, error.message);
            else answerStatus(stream, status.INTERNAL, INTERNAL_MESSAGE);
          },
        )
        .finally(() => {
          clearTimeout(timer);
          active -= 1;
        });
    });
  });
  // Errors of the listening socket itself (accept failing); the server keeps listening.
  server.on('error', (error) => options.onError?.(error));
  return {
    listen: (path) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(path, () => {
          server.off('error', reject);
          resolve();
        });
      }),
    active: () => active,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        for (const session of sessions) session.close();
      }),
    destroy() {
      server.close();
      for (const session of sessions) session.destroy();
    },
  };
}

/** The method a stream calls, or undefined once the stream has been answered (not gRPC, no such method). */
function accept(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, methods: ReadonlyMap<string, UnaryMethod>): UnaryMethod | undefined {
  // A stream the client resets emits an error; the call is over, the server keeps serving.
  stream.on('error', () => undefined);
  const contentType = headers['content-type'];
  if (headers[':method'] !== 'POST' || typeof contentType !== 'string' || !contentType.startsWith(GRPC_CONTENT_TYPE)) {
    // Not a gRPC call: HTTP's own answer, as the protocol asks.
    stream.respond({ ':status': 415 }, { endStream: true });
    stream.resume();
    return undefined;
  }
  const method = methods.get(headers[':path'] ?? '');
  if (!method) answerStatus(stream, status.UNIMPLEMENTED, `Courier does not serve the method ${quoted(headers[':path'] ?? '')}`);
  return method;
}

/** A client's header in a message, cut at 200 characters: the message goes back in a trailer. */
function quoted(value: string): string {
  return value.length <= 200 ? value : `${value.slice(0, 200)}…`;
}

function methodName(headers: IncomingHttpHeaders): string {
  return (headers[':path'] ?? '').split('/').pop() ?? '';
}

/** The deadline a grpc-timeout header sets (Infinity without one); undefined for a value that is not a timeout. */
export function deadlineOf(header: string | string[] | undefined): number | undefined {
  if (header === undefined) return Infinity;
  const match = /^(\d{1,8})([HMSmun])$/.exec(String(header));
  if (!match) return undefined;
  return Date.now() + Number(match[1]) * (TIMEOUT_UNITS[match[2] as string] as number);
}

/**
 * Reads the one message of a unary call and hands it on once the client has sent all of it. A
 * message over `maxBytes` is refused from its prefix, before its bytes are kept; a compressed
 * message, none, or a second one is answered with the status gRPC servers give.
 */
function readMessage(stream: ServerHttp2Stream, maxBytes: number, onMessage: (body: Buffer) => void): void {
  const parts: Buffer[] = [];
  let received = 0;
  let expected: number | undefined;
  let refused = false;
  const refuse = (code: status, details: string) => {
    refused = true;
    parts.length = 0;
    answerStatus(stream, code, details);
  };
  stream.on('data', (chunk: Buffer) => {
    if (refused) return;
    parts.push(chunk);
    received += chunk.byteLength;
    if (expected === undefined && received >= PREFIX_BYTES) {
      const prefix = parts.length === 1 ? chunk : Buffer.concat(parts);
      if ((prefix[0] as number) & 1) return refuse(status.UNIMPLEMENTED, 'Courier does not accept compressed messages; send them uncompressed (grpc-encoding identity)');
      expected = prefix.readUInt32BE(1);
      if (expected > maxBytes) return refuse(status.RESOURCE_EXHAUSTED, `the request message is ${expected} bytes, more than the ${maxBytes} bytes Courier accepts`);
    }
    if (expected !== undefined && received > PREFIX_BYTES + expected) refuse(status.INTERNAL, 'a unary call carried more than one message');
  });
  stream.once('end', () => {
    if (refused) return;
    if (expected === undefined || received < PREFIX_BYTES + expected) return answerStatus(stream, status.INTERNAL, 'the call ended before its request message was complete');
    const body = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, received);
    onMessage(body.subarray(PREFIX_BYTES));
  });
}

/** The message of a status, percent-encoded as the protocol asks: any byte outside printable ASCII, and `%`. */
export function encodeStatusMessage(message: string): string {
  return message.replace(/[^\x20-\x24\x26-\x7e]/gu, (character) => {
    let encoded = '';
    for (const byte of Buffer.from(character, 'utf8')) encoded += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    return encoded;
  });
}

/** True once nothing more can be sent on the stream: answered already, or reset by the client. */
function finished(stream: ServerHttp2Stream): boolean {
  return stream.headersSent || stream.destroyed || stream.closed;
}

/** A failure as a trailers-only response; what the client still sends is read and dropped. Never throws. */
function answerStatus(stream: ServerHttp2Stream, code: status, details: string): void {
  if (finished(stream)) return;
  try {
    stream.respond({ ':status': 200, 'content-type': GRPC_CONTENT_TYPE, 'grpc-status': String(code), 'grpc-message': encodeStatusMessage(details) }, { endStream: true });
    stream.resume();
  } catch {
    // The stream went away between the check and the answer: nobody is left to tell.
  }
}

/**
 * The response message, written after its prefix without copying it (or its chunks), then the OK trailer.
 * Never throws: a response that cannot be encoded (a bug) is answered INTERNAL.
 */
function answerMessage(stream: ServerHttp2Stream, encode: () => Uint8Array | readonly Uint8Array[]): void {
  if (finished(stream)) return;
  let chunks: readonly Uint8Array[];
  try {
    const message = encode();
    chunks = message instanceof Uint8Array ? [message] : message;
  } catch {
    return answerStatus(stream, status.INTERNAL, INTERNAL_MESSAGE);
  }
  let length = 0;
  for (const chunk of chunks) length += chunk.byteLength;
  try {
    stream.respond({ ':status': 200, 'content-type': GRPC_CONTENT_TYPE }, { waitForTrailers: true });
    stream.once('wantTrailers', () => {
      try {
        stream.sendTrailers({ 'grpc-status': String(status.OK) });
      } catch {
        // Reset by the client while the message was on its way.
      }
    });
    // Corked, the prefix and the chunks go down in one write.
    stream.cork();
    stream.write(messagePrefix(length));
    for (const chunk of chunks) stream.write(chunk);
    stream.end();
    stream.uncork();
  } catch {
    // As in answerStatus: the stream is gone.
  }
}
