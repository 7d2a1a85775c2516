/** One HTTP call to Vault over Node's own http(s) with the agent that carries the TLS settings: bounded in time and size, cancelled with the Mount. */
import { request as httpRequest, type Agent as HttpAgent, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest, type Agent as HttpsAgent } from 'node:https';
import { boundedBody } from '../../http/bounded-body.ts';

/** What one call sends. Tokens travel in headers only, never in the URL. */
export interface VaultCall {
  readonly method: 'GET' | 'PUT' | 'POST';
  /** Normalized address (flags.ts): `https://vault:8200` or with a path prefix. */
  readonly address: string;
  /** API path without `/v1/`. */
  readonly path: string;
  readonly query?: string;
  readonly body?: unknown;
  readonly token?: string;
  readonly namespace?: string;
  readonly agent: HttpAgent | HttpsAgent;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
}

/** Vault's answer: status, JSON body (undefined when empty) and headers. */
export interface VaultReply {
  readonly status: number;
  readonly body: unknown;
  readonly headers: IncomingHttpHeaders;
}

/** The driver refuses responses over 4 MiB, so a larger Vault answer could never be mounted. */
export const MAX_REPLY_BYTES = 4 * 1024 * 1024;

/** Why a call got no reply. `aborted` means the Mount's deadline (or shutdown) cancelled it. */
export class TransportError extends Error {
  override readonly name = 'TransportError';
  readonly kind: 'timeout' | 'aborted' | 'network' | 'too-large' | 'not-json';
  /** The socket error code (ECONNREFUSED, CERT_HAS_EXPIRED, ...) when there is one. */
  readonly code: string | undefined;
  constructor(kind: TransportError['kind'], message: string, code?: string) {
    super(message);
    this.kind = kind;
    this.code = code;
  }
}

/** Sends `call` and resolves with Vault's reply, or rejects with a TransportError. */
export function sendVaultCall(call: VaultCall): Promise<VaultReply> {
  return new Promise<VaultReply>((resolve, reject) => {
    if (call.signal.aborted) {
      reject(new TransportError('aborted', 'the Mount was cancelled before the call'));
      return;
    }
    const url = new URL(`${call.address}/v1/${call.path.split('/').map(encodeURIComponent).join('/')}${call.query ? `?${call.query}` : ''}`);
    const payload = call.body === undefined ? undefined : Buffer.from(JSON.stringify(call.body));
    const headers: Record<string, string> = { accept: 'application/json', 'x-vault-request': 'true' };
    if (call.token !== undefined) headers['x-vault-token'] = call.token;
    if (call.namespace !== undefined && call.namespace !== '') headers['x-vault-namespace'] = call.namespace;
    if (payload) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(payload.byteLength);
    }
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      call.signal.removeEventListener('abort', onAbort);
      outcome();
    };
    const req = send(url, { method: call.method, headers, agent: call.agent }, (res) => {
      const body = boundedBody(res, MAX_REPLY_BYTES, () => {
        req.destroy();
        finish(() => reject(new TransportError('too-large', `the answer is larger than ${MAX_REPLY_BYTES} bytes`)));
      });
      res.on('error', (error: NodeJS.ErrnoException) => finish(() => reject(new TransportError('network', error.message, error.code))));
      res.on('end', () => {
        const text = body().toString('utf8').trim();
        let parsed: unknown;
        try {
          parsed = text === '' ? undefined : (JSON.parse(text) as unknown);
        } catch {
          // Vault always answers JSON; anything else is a proxy or another server, and its text is not repeated.
          finish(() => reject(new TransportError('not-json', `the answer (HTTP ${res.statusCode ?? 0}) is not JSON`)));
          return;
        }
        finish(() => resolve({ status: res.statusCode ?? 0, body: parsed, headers: res.headers }));
      });
    });
    const timer = setTimeout(() => {
      req.destroy();
      finish(() => reject(new TransportError('timeout', `no answer within ${call.timeoutMs} ms`)));
    }, call.timeoutMs);
    const onAbort = () => {
      req.destroy();
      finish(() => reject(new TransportError('aborted', 'the Mount was cancelled')));
    };
    call.signal.addEventListener('abort', onAbort, { once: true });
    req.on('error', (error: NodeJS.ErrnoException) => finish(() => reject(new TransportError('network', error.message, error.code))));
    req.end(payload);
  });
}
