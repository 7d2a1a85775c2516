/** A fake Microsoft Entra ID: the v2.0 token endpoint, OpenID configuration, instance discovery and signing keys. */
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { jwtVerify, SignJWT, type JWK } from 'jose';
import { AZURE_CLOUDS, cloudOfEntraHost, entraHostNames } from './clouds.ts';
import { EntraDirectory } from './entra-directory.ts';
import { instanceDiscovery, openIdConfiguration, signingKeys } from './entra-discovery.ts';
import { aadstsReply, AADSTS } from './entra-errors.ts';
import { answerTokenRequest, type GrantKind, type TokenRequestRecord } from './entra-token.ts';
import { FaultPlan } from './faults.ts';
import { serveHttps, type FakeReply, type FakeRequest, type RunningServer, type ServerIdentity } from './https-fake.ts';

/** A discovery read MSAL made. */
export interface DiscoveryRecord {
  readonly kind: 'openid-configuration' | 'instance-discovery' | 'keys';
  readonly host: string;
  readonly tenantId?: string;
}

/** The claims of an access token the fake issued, as a resource reads them. */
export interface AccessTokenClaims {
  readonly aud: string;
  readonly iss: string;
  readonly tid: string;
  readonly oid: string;
  readonly appid: string;
  readonly exp: number;
}

/** Why a bearer token was not accepted. */
export type TokenProblem = 'malformed' | 'signature' | 'expired';

/** Options: the host names it answers (default: every cloud's Entra host) and a clock. */
export interface FakeEntraOptions {
  readonly hosts?: readonly string[];
  readonly now?: () => number;
}

/**
 * Entra ID for tests. Configure `directory` (tenants, applications, federated credentials, trusted
 * issuers); inspect `tokenRequests` and `discoveryRequests`; inject faults with `faults`.
 */
export class FakeEntra {
  readonly directory = new EntraDirectory();
  readonly faults = new FaultPlan();
  readonly tokenRequests: TokenRequestRecord[] = [];
  readonly discoveryRequests: DiscoveryRecord[] = [];
  readonly hosts: readonly string[];
  /** `expires_in` of issued tokens. */
  lifetimeSeconds = 3599;
  readonly #now: () => number;
  readonly #privateKey: KeyObject;
  readonly #publicKey: KeyObject;
  readonly #keyId = randomUUID();
  #server: RunningServer | undefined;

  constructor(options: FakeEntraOptions = {}) {
    this.hosts = options.hosts ?? entraHostNames();
    this.#now = options.now ?? Date.now;
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.#privateKey = privateKey;
    this.#publicKey = publicKey;
  }

  /** Listens on 127.0.0.1 with the given TLS identity; returns the port. */
  async start(identity: ServerIdentity): Promise<number> {
    this.#server = await serveHttps(identity, this.faults, (status, request) => this.#faultReply(status, request), (request) => this.#handle(request));
    return this.#server.port;
  }

  async stop(): Promise<void> {
    await this.#server?.close();
  }

  /** Token requests matching every given field (all when none). */
  countTokenRequests(filter: Partial<TokenRequestRecord> = {}): number {
    return this.tokenRequests.filter((record) => Object.entries(filter).every(([field, value]) => record[field as keyof TokenRequestRecord] === value)).length;
  }

  /** Checks a bearer token's signature and expiry; the resource checks audience and issuer itself. */
  async readAccessToken(token: string): Promise<{ claims: AccessTokenClaims } | { problem: TokenProblem }> {
    if (token.split('.').length !== 3) return { problem: 'malformed' };
    try {
      const { payload } = await jwtVerify(token, this.#publicKey, { algorithms: ['RS256'], currentDate: new Date(this.#now()) });
      return { claims: payload as unknown as AccessTokenClaims };
    } catch (error) {
      return { problem: (error as { code?: string }).code === 'ERR_JWT_EXPIRED' ? 'expired' : 'signature' };
    }
  }

  async #handle(request: FakeRequest): Promise<FakeReply> {
    if (!this.hosts.includes(request.host)) return { status: 404, body: { error: 'not_found' } };
    const segments = request.path.split('/').filter((segment) => segment !== '');
    const tenantId = decodeURIComponent(segments[0] ?? '');
    const rest = segments.slice(1).join('/');
    if (request.method === 'POST' && rest === 'oauth2/v2.0/token') {
      const resources = this.#resourcesFor(request.host);
      const context = { directory: this.directory, resources, now: this.#now, lifetimeSeconds: this.lifetimeSeconds, issue: this.#issue };
      const { reply, record } = await answerTokenRequest(context, request, tenantId);
      this.tokenRequests.push(record);
      return reply;
    }
    if (request.method !== 'GET') return { status: 405, body: { error: 'invalid_request' } };
    if (rest === 'v2.0/.well-known/openid-configuration') {
      this.discoveryRequests.push({ kind: 'openid-configuration', host: request.host, tenantId });
      return openIdConfiguration(request.host, tenantId, this.directory.hasTenant(tenantId));
    }
    if (rest === 'discovery/instance') {
      this.discoveryRequests.push({ kind: 'instance-discovery', host: request.host });
      return instanceDiscovery(this.hosts, request.query.get('authorization_endpoint'));
    }
    if (rest === 'discovery/v2.0/keys' || rest === 'discovery/keys') {
      this.discoveryRequests.push({ kind: 'keys', host: request.host, tenantId });
      return signingKeys([{ ...(this.#publicKey.export({ format: 'jwk' }) as JWK), kid: this.#keyId, use: 'sig', kty: 'RSA' }]);
    }
    return { status: 404, body: { error: 'not_found' } };
  }

  /** A cloud's Entra host issues tokens for that cloud's Key Vault; other hosts for any cloud's. */
  #resourcesFor(host: string): string[] {
    const cloud = cloudOfEntraHost(host);
    return cloud ? [cloud.vaultResource] : AZURE_CLOUDS.map((candidate) => candidate.vaultResource);
  }

  // A v1.0 app-only access token, as Key Vault receives them (issuer sts.windows.net, appid, oid, tid).
  readonly #issue = async (application: { tenantId: string; clientId: string; objectId: string }, resource: string, grant: GrantKind): Promise<string> => {
    const now = Math.floor(this.#now() / 1000);
    return new SignJWT({
      appid: application.clientId,
      appidacr: grant === 'client_secret' ? '1' : '2',
      idp: `https://sts.windows.net/${application.tenantId}/`,
      idtyp: 'app',
      oid: application.objectId,
      tid: application.tenantId,
      uti: randomUUID().replaceAll('-', ''),
      ver: '1.0',
    })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: this.#keyId })
      .setAudience(resource)
      .setIssuer(`https://sts.windows.net/${application.tenantId}/`)
      .setSubject(application.objectId)
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(now + this.lifetimeSeconds)
      .sign(this.#privateKey);
  };

  // An injected status: shaped as Entra ID's error, and recorded like any token request it answers.
  #faultReply(status: number, request: FakeRequest): FakeReply {
    const failure = status === 429 ? AADSTS.throttled() : AADSTS.unavailable(status);
    if (request.method === 'POST' && request.path.endsWith('/oauth2/v2.0/token')) {
      const form = new URLSearchParams(request.body);
      this.tokenRequests.push({
        host: request.host,
        tenantId: decodeURIComponent(request.path.split('/')[1] ?? ''),
        clientId: form.get('client_id') ?? '',
        grant: form.has('client_assertion') ? 'client_assertion' : form.has('client_secret') ? 'client_secret' : 'none',
        scope: form.get('scope') ?? '',
        status,
        aadsts: failure.code,
        injected: true,
      });
    }
    return { ...aadstsReply(failure, request.query.get('client-request-id') ?? undefined), status };
  }
}
