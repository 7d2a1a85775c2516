/** A fake IAM Credentials API: generateAccessToken for a service account, as Google documents it. */
import type { ExecutionContext } from 'ava';
import { serveJson, type FakeHttpReply, type FakeHttpRequest, type FakeHttpServer } from './google-http.ts';

/** One recorded generateAccessToken call. */
export interface FakeIamCall {
  readonly serviceAccount: string;
  readonly caller: string;
  readonly scope: readonly string[];
  readonly lifetime: string;
}

const PATH = /^\/v1\/projects\/-\/serviceAccounts\/([^/:]+):generateAccessToken$/;

/**
 * POST /v1/projects/-/serviceAccounts/EMAIL:generateAccessToken with `Authorization: Bearer
 * <federated token>`; the caller's principal comes from `principalOf` and must have been
 * allowed to impersonate EMAIL. Issues opaque tokens whose service account `serviceAccountOf`
 * tells.
 */
export class FakeIamCredentials {
  readonly calls: FakeIamCall[] = [];
  latencyMs = 0;
  lifetimeSeconds = 3600;
  readonly #bindings = new Map<string, Set<string>>();
  readonly #issued = new Map<string, string>();
  readonly #principalOf: (token: string) => string | undefined;
  #server: FakeHttpServer | undefined;

  constructor(principalOf: (token: string) => string | undefined) {
    this.#principalOf = principalOf;
  }

  get url(): string {
    return this.#server?.url ?? '';
  }

  /** Lets `principal` impersonate `serviceAccount` (roles/iam.workloadIdentityUser). */
  allow(principal: string, serviceAccount: string): void {
    const set = this.#bindings.get(serviceAccount) ?? new Set<string>();
    set.add(principal);
    this.#bindings.set(serviceAccount, set);
  }

  serviceAccountOf(token: string): string | undefined {
    return this.#issued.get(token);
  }

  async start(): Promise<void> {
    this.#server = await serveJson((request) => this.#handle(request), () => this.latencyMs);
  }

  async stop(): Promise<void> {
    await this.#server?.close();
  }

  #handle(request: FakeHttpRequest): FakeHttpReply {
    const match = PATH.exec(request.path);
    if (request.method !== 'POST' || !match?.[1]) return googleError(404, 'NOT_FOUND', 'Not found');
    const serviceAccount = decodeURIComponent(match[1]);
    const bearer = /^Bearer (.+)$/.exec(String(request.headers.authorization ?? ''))?.[1];
    const caller = bearer === undefined ? undefined : this.#principalOf(bearer);
    if (caller === undefined) return googleError(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.');
    if (!this.#bindings.get(serviceAccount)?.has(caller)) {
      return googleError(403, 'PERMISSION_DENIED', `Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).`);
    }
    const scope = Array.isArray(request.body['scope']) ? (request.body['scope'] as string[]) : [];
    this.calls.push({ serviceAccount, caller, scope, lifetime: typeof request.body['lifetime'] === 'string' ? request.body['lifetime'] : '' });
    const token = `impersonated-${this.calls.length}-${Math.random().toString(36).slice(2)}`;
    this.#issued.set(token, serviceAccount);
    return { status: 200, body: { accessToken: token, expireTime: new Date(Date.now() + this.lifetimeSeconds * 1000).toISOString() } };
  }
}

/** Starts a fake and stops it when the test ends. */
export async function startFakeIamCredentials(t: ExecutionContext, principalOf: (token: string) => string | undefined): Promise<FakeIamCredentials> {
  const fake = new FakeIamCredentials(principalOf);
  await fake.start();
  t.teardown(() => fake.stop());
  return fake;
}

function googleError(status: number, code: string, message: string): FakeHttpReply {
  return { status, body: { error: { code: status, message, status: code } } };
}
