/** One Kubernetes API exchange over Node's own http(s): JSON in, JSON out, bounded in size, cancelled by a signal. */
import { request as httpRequest, type Agent as HttpAgent, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest, type Agent as HttpsAgent } from 'node:https';
import { boundedBody } from '../http/bounded-body.ts';
import { KubeApiError, parseStatus } from './kube-api-error.ts';

/** One call, as Courier's modules describe it. */
export interface KubeRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The API path, `/api/v1/namespaces/team-a/secrets/db`: build it with kubePath, which escapes the names. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  /** Sent as JSON. */
  readonly body?: unknown;
  /** Of the body; `application/json` unless given (a merge patch is `application/merge-patch+json`). */
  readonly contentType?: string;
  /** More request headers (`Impersonate-User`). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** A successful answer: the status (below 400), the headers and the body as parsed JSON (undefined when empty). */
export interface KubeReply<T> {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: T;
}

/** Where and how one exchange is sent. */
export interface KubeExchange {
  readonly server: URL;
  readonly agent: HttpAgent | HttpsAgent;
  /** Headers every call carries (Authorization, User-Agent). */
  readonly headers: Readonly<Record<string, string>>;
  readonly signal: AbortSignal;
}

/** Larger than any answer Courier asks for (a Secret is at most 1 MiB; a cluster's DaemonSets a few MiB). */
export const MAX_REPLY_BYTES = 64 * 1024 * 1024;

/** A path with each substituted value escaped as one segment: kubePath`/api/v1/namespaces/${namespace}/secrets/${name}`. */
export function kubePath(strings: TemplateStringsArray, ...segments: readonly string[]): string {
  return strings.reduce((path, text, index) => path + text + (index < segments.length ? encodeURIComponent(segments[index] ?? '') : ''), '');
}

/**
 * Sends `request`. Resolves with the answer when its status is below 400; rejects with a
 * KubeApiError for an error status, with the signal's reason when it aborts (a TimeoutError for the
 * call timeout, as fetch does), and with the socket's error (its `code`: ECONNREFUSED, ...) otherwise.
 */
export async function sendKubeRequest(request: KubeRequest, exchange: KubeExchange): Promise<KubeReply<unknown>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await exchangeOnce(request, exchange);
    } catch (error) {
      // A kept-alive connection the server closed just as it was reused: the request never reached the
      // server, so it is sent again on another connection (what Node.js documents for keep-alive agents).
      if (!(error instanceof StaleSocket)) throw error;
      if (attempt >= STALE_SOCKET_ATTEMPTS) throw error.cause;
    }
  }
}

/** How often a call is sent when each try meets a connection the server had closed. */
const STALE_SOCKET_ATTEMPTS = 3;

/** The error of a reused connection that was reset before any answer; `cause` is the socket's error. */
class StaleSocket extends Error {
  override readonly name = 'StaleSocket';
}

function exchangeOnce(request: KubeRequest, exchange: KubeExchange): Promise<KubeReply<unknown>> {
  return new Promise<KubeReply<unknown>>((resolve, reject) => {
    const { signal } = exchange;
    if (signal.aborted) {
      reject(abortReason(signal));
      return;
    }
    const query = request.query ? `?${new URLSearchParams(request.query).toString()}` : '';
    // A server URL may carry a path prefix (a proxy in front of the API server).
    const url = new URL(`${exchange.server.href.replace(/\/+$/, '')}${request.path}${query}`);
    const payload = request.body === undefined ? undefined : Buffer.from(JSON.stringify(request.body));
    const headers: Record<string, string> = { accept: 'application/json, */*;q=0.8', ...exchange.headers, ...request.headers };
    if (payload) {
      headers['content-type'] = request.contentType ?? 'application/json';
      headers['content-length'] = String(payload.byteLength);
    }
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      outcome();
    };
    const onAbort = () => {
      req.destroy();
      finish(() => reject(abortReason(signal)));
    };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    let answered = false;
    const req = send(url, { method: request.method, headers, agent: exchange.agent }, (res) => {
      answered = true;
      const body = boundedBody(res, MAX_REPLY_BYTES, () => {
        req.destroy();
        finish(() => reject(new Error(`the answer to ${request.method} ${request.path} is larger than ${MAX_REPLY_BYTES} bytes`)));
      });
      res.on('error', (error) => finish(() => reject(error)));
      res.on('close', () => finish(() => reject(Object.assign(new Error(`the connection closed during the answer to ${request.method} ${request.path}`), { code: 'ECONNRESET' }))));
      res.on('end', () => {
        const code = res.statusCode ?? 0;
        const parsed = parseJson(body());
        if (code >= 400) finish(() => reject(new KubeApiError(request.method, request.path, code, parseStatus(parsed.value))));
        // The text is not repeated: it may be anything, from a proxy's page to part of a Secret.
        else if (!parsed.ok) finish(() => reject(new Error(`the answer to ${request.method} ${request.path} (HTTP ${code}) is not JSON`)));
        else finish(() => resolve({ status: code, headers: res.headers, body: parsed.value }));
      });
    });
    signal.addEventListener('abort', onAbort, { once: true });
    req.on('error', (error: NodeJS.ErrnoException) => {
      const stale = req.reusedSocket && !answered && (error.code === 'ECONNRESET' || error.code === 'EPIPE');
      finish(() => reject(stale ? new StaleSocket('a kept-alive connection was closed', { cause: error }) : error));
    });
    req.end(payload);
  });
}

/** Why `signal` aborted: a TimeoutError for AbortSignal.timeout, an AbortError for a plain abort(), or the caller's own error. */
function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new DOMException('This operation was aborted', 'AbortError');
}

function parseJson(bytes: Buffer): { ok: boolean; value: unknown } {
  if (bytes.byteLength === 0) return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(bytes.toString('utf8')) as unknown };
  } catch {
    return { ok: false, value: undefined };
  }
}
