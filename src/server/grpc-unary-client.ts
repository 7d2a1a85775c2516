/** The client side of unary gRPC over node:http2: one call on a Unix socket, for the socket takeover's Version probe. */
import http2, { type IncomingHttpHeaders } from 'node:http2';
import { connect as connectSocket } from 'node:net';
import { status } from '../errors/status-codes.ts';
import { GRPC_CONTENT_TYPE, messagePrefix, PREFIX_BYTES } from './grpc-unary.ts';

/** The inverse of encodeStatusMessage, for the client side. */
export function decodeStatusMessage(encoded: string): string {
  try {
    return decodeURIComponent(encoded);
  } catch {
    return encoded;
  }
}

/** What a unary call returned: a status, and the response message when the status is OK. */
export interface UnaryAnswer {
  readonly code: number;
  readonly details: string;
  readonly message?: Buffer;
}

/**
 * Calls one unary method on the server at the Unix socket `path`, within `timeoutMs`. Rejects when
 * nothing accepts the connection or the answer is not gRPC; a status other than OK resolves.
 * Courier asks a socket's current server for its Version with this before replacing it.
 */
export function callUnary(path: string, methodPath: string, request: Uint8Array, timeoutMs: number): Promise<UnaryAnswer> {
  return new Promise((resolve, reject) => {
    const session = http2.connect('http://localhost', { createConnection: () => connectSocket(path) });
    const timer = setTimeout(() => {
      session.destroy();
      resolve({ code: status.DEADLINE_EXCEEDED, details: 'Deadline exceeded' });
    }, timeoutMs);
    const done = (settle: () => void) => {
      clearTimeout(timer);
      session.close();
      settle();
    };
    session.once('error', (error) => done(() => reject(error)));
    const stream = session.request({ ':method': 'POST', ':path': methodPath, 'content-type': GRPC_CONTENT_TYPE, te: 'trailers', 'grpc-timeout': `${Math.max(1, Math.ceil(timeoutMs))}m` });
    stream.on('error', (error) => done(() => reject(error)));
    let headers: IncomingHttpHeaders = {};
    let trailers: IncomingHttpHeaders = {};
    const parts: Buffer[] = [];
    stream.on('response', (received) => (headers = received));
    stream.on('trailers', (received) => (trailers = received));
    stream.on('data', (chunk: Buffer) => parts.push(chunk));
    stream.on('end', () =>
      done(() => {
        const statusHeader = trailers['grpc-status'] ?? headers['grpc-status'];
        if (statusHeader === undefined) return reject(new Error(`${path} did not answer with a gRPC status (HTTP ${String(headers[':status'])})`));
        const code = Number(statusHeader);
        const details = decodeStatusMessage(String(trailers['grpc-message'] ?? headers['grpc-message'] ?? ''));
        const body = Buffer.concat(parts);
        resolve(code === status.OK ? { code, details, message: body.subarray(PREFIX_BYTES, PREFIX_BYTES + (body.length >= PREFIX_BYTES ? body.readUInt32BE(1) : 0)) } : { code, details });
      }),
    );
    stream.write(messagePrefix(request.byteLength));
    stream.end(request);
  });
}
