/** Collects an HTTP answer's body up to a size, for Courier's own HTTP clients (the Kubernetes API, Vault). */
import type { IncomingMessage } from 'node:http';

/**
 * Gathers `res`'s chunks. Once they pass `maxBytes`, nothing more is kept and `tooLarge` is called
 * (once): it should destroy the request and fail the call. Returns the body gathered so far; call it
 * on `end`.
 */
export function boundedBody(res: IncomingMessage, maxBytes: number, tooLarge: () => void): () => Buffer {
  const chunks: Buffer[] = [];
  let size = 0;
  res.on('data', (chunk: Buffer) => {
    if (size > maxBytes) return;
    size += chunk.byteLength;
    if (size > maxBytes) tooLarge();
    else chunks.push(chunk);
  });
  return () => Buffer.concat(chunks);
}
