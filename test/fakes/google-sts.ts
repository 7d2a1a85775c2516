/** A fake Google Security Token Service: RFC 8693 token exchange at POST /v1/token, as Google documents it. */
import type { ExecutionContext } from 'ava';
import { decodeJwt } from 'jose';
import { serveJson, type FakeHttpReply, type FakeHttpRequest, type FakeHttpServer } from './google-http.ts';

/** One recorded exchange. */
export interface FakeStsCall {
  readonly audience: string;
  readonly subject: string;
  readonly scope: string;
}

/**
 * Accepts a Kubernetes service-account JWT whose `aud` contains `tokenAudience`, for the STS
 * `audience` it was configured with, and issues an opaque federated access token. The signature
 * is not checked (test tokens are unsigned); audience, grant and token types are.
 */
export class FakeSts {
  readonly calls: FakeStsCall[] = [];
  latencyMs = 0;
  expiresInSeconds = 3600;
  /** Answer the next exchanges with this HTTP status (and Google's error shape). */
  failNext: { status: number; count: number } | undefined;
  readonly #issued = new Map<string, string>();
  readonly #stsAudience: string;
  readonly #tokenAudience: string;
  #server: FakeHttpServer | undefined;

  constructor(stsAudience: string, tokenAudience: string) {
    this.#stsAudience = stsAudience;
    this.#tokenAudience = tokenAudience;
  }

  /** `http://127.0.0.1:PORT/v1/token` once started. */
  get tokenUrl(): string {
    return `${this.#server?.url ?? ''}/v1/token`;
  }

  /** The Kubernetes subject (`system:serviceaccount:NS:SA`) a federated token was issued to. */
  subjectOf(token: string): string | undefined {
    return this.#issued.get(token);
  }

  async start(): Promise<void> {
    this.#server = await serveJson((request) => this.#handle(request), () => this.latencyMs);
  }

  async stop(): Promise<void> {
    await this.#server?.close();
  }

  #handle(request: FakeHttpRequest): FakeHttpReply {
    if (request.method !== 'POST' || request.path !== '/v1/token') return { status: 404, body: { error: 'not_found' } };
    if (this.failNext && this.failNext.count > 0) {
      this.failNext.count -= 1;
      return { status: this.failNext.status, body: { error: 'temporarily_unavailable', error_description: 'injected failure' } };
    }
    const body = request.body as Record<string, string | undefined>;
    if (body['grant_type'] !== 'urn:ietf:params:oauth:grant-type:token-exchange') return invalid('invalid_request', 'Invalid value for "grant_type".');
    if (body['requested_token_type'] !== 'urn:ietf:params:oauth:token-type:access_token') return invalid('invalid_request', 'Invalid value for "requested_token_type".');
    if (body['subject_token_type'] !== 'urn:ietf:params:oauth:token-type:jwt') return invalid('invalid_request', 'Invalid value for "subject_token_type".');
    if (body['audience'] !== this.#stsAudience) return invalid('invalid_target', `The target service indicated by the "audience" parameters is invalid.`);
    let claims: { aud?: unknown; sub?: unknown };
    try {
      claims = decodeJwt(body['subject_token'] ?? '');
    } catch {
      return invalid('invalid_grant', 'Unable to parse the ID Token.');
    }
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!audiences.includes(this.#tokenAudience)) return invalid('invalid_grant', 'The audience in ID Token does not match the expected audience.');
    const subject = String(claims.sub);
    const token = `federated-${this.calls.length + 1}-${Math.random().toString(36).slice(2)}`;
    this.calls.push({ audience: String(body['audience']), subject, scope: body['scope'] ?? '' });
    this.#issued.set(token, subject);
    return {
      status: 200,
      body: { access_token: token, issued_token_type: 'urn:ietf:params:oauth:token-type:access_token', token_type: 'Bearer', expires_in: this.expiresInSeconds },
    };
  }
}

/** Starts a fake STS and stops it when the test ends. */
export async function startFakeSts(t: ExecutionContext, stsAudience: string, tokenAudience: string): Promise<FakeSts> {
  const fake = new FakeSts(stsAudience, tokenAudience);
  await fake.start();
  t.teardown(() => fake.stop());
  return fake;
}

function invalid(error: string, description: string): FakeHttpReply {
  return { status: 400, body: { error, error_description: description } };
}
