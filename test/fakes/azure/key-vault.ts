/** A fake Azure Key Vault data plane: the bearer challenge, token checks, access control, and the read routes. */
import { cloudNamed } from './clouds.ts';
import type { AccessTokenClaims, TokenProblem } from './entra.ts';
import { FaultPlan } from './faults.ts';
import { serveHttps, type FakeReply, type FakeRequest, type RunningServer, type ServerIdentity } from './https-fake.ts';
import { forbidden, isAllowed } from './key-vault-access.ts';
import { badParameter, challenge, injected } from './key-vault-errors.ts';
import type { ObjectKind } from './key-vault-objects.ts';
import { answerGet, answerList, parseRoute } from './key-vault-routes.ts';
import { FakeVault, type VaultSpec } from './key-vault-vault.ts';

/** One request as the vault saw it (never the token or a value). */
export interface VaultRequestRecord {
  readonly vault: string;
  readonly method: string;
  readonly path: string;
  readonly kind?: ObjectKind;
  readonly name?: string;
  /** Empty for the latest version. */
  readonly version?: string;
  readonly operation?: 'get' | 'list';
  readonly apiVersion: string;
  readonly status: number;
  /** True for the 401 answered to a request without a token (the SDK's first request per client). */
  readonly challenge: boolean;
  /** The caller's object ID, once its token was accepted. */
  readonly principal?: string;
  /** True when an injected fault answered instead of the vault. */
  readonly injected?: boolean;
}

/** Checks a bearer token's signature and expiry: the fake Entra ID's `readAccessToken`. */
export type TokenReader = (token: string) => Promise<{ claims: AccessTokenClaims } | { problem: TokenProblem }>;

const API_VERSION = /^(7\.\d+(-preview(\.\d+)?)?|\d{4}-\d{2}-\d{2}(-preview)?)$/;
const PROBLEMS: Record<TokenProblem, string> = {
  malformed: 'AKV10000: Request is missing a Bearer or PoP token.',
  signature: 'Token validation failed: the token signature is invalid.',
  expired: 'Token validation failed: the token has expired.',
};

/** Every fake vault, served on one port for all vault hosts; inspect `requests`, inject `faults`. */
export class FakeKeyVault {
  readonly faults = new FaultPlan();
  readonly requests: VaultRequestRecord[] = [];
  readonly #vaults = new Map<string, FakeVault>();
  readonly #readToken: TokenReader;
  #server: RunningServer | undefined;

  constructor(readToken: TokenReader) {
    this.#readToken = readToken;
  }

  /** Creates a vault in a cloud (default `AzurePublicCloud`). */
  addVault(spec: VaultSpec & { readonly cloud?: string }): FakeVault {
    const vault = new FakeVault(spec, cloudNamed(spec.cloud));
    if (this.#vaults.has(vault.host)) throw new Error(`vault ${vault.host} exists`);
    this.#vaults.set(vault.host, vault);
    return vault;
  }

  /** The vault behind a host name, if one was created (unknown names do not resolve, as in DNS). */
  vaultAt(host: string): FakeVault | undefined {
    return this.#vaults.get(host.toLowerCase());
  }

  async start(identity: ServerIdentity): Promise<number> {
    this.#server = await serveHttps(identity, this.faults, (status, request) => this.#injected(status, request), (request) => this.#handle(request));
    return this.#server.port;
  }

  async stop(): Promise<void> {
    await this.#server?.close();
  }

  /** Authorized reads (token accepted) matching every given field; challenges are not counted. */
  countGets(filter: Partial<Pick<VaultRequestRecord, 'vault' | 'kind' | 'name' | 'version' | 'operation' | 'status' | 'principal'>> = {}): number {
    return this.requests.filter((record) => !record.challenge && record.principal !== undefined && matches(record, filter)).length;
  }

  /** 401 challenges answered (per vault when given). */
  countChallenges(vault?: string): number {
    return this.requests.filter((record) => record.challenge && (vault === undefined || record.vault === vault)).length;
  }

  async #handle(request: FakeRequest): Promise<FakeReply> {
    const vault = this.vaultAt(request.host);
    const route = request.method === 'GET' ? parseRoute(request.path) : undefined;
    const apiVersion = request.query.get('api-version') ?? '';
    const base = { vault: vault?.name ?? request.host, method: request.method, path: request.path, apiVersion, ...(route ?? {}) };
    const reply = await this.#answer(vault, route, request, apiVersion);
    this.requests.push({ ...base, status: reply.reply.status, challenge: reply.challenge, ...(reply.principal === undefined ? {} : { principal: reply.principal }) });
    return reply.reply;
  }

  async #answer(vault: FakeVault | undefined, route: ReturnType<typeof parseRoute>, request: FakeRequest, apiVersion: string): Promise<{ reply: FakeReply; challenge: boolean; principal?: string }> {
    if (!vault) return { reply: badParameter(`No vault at ${request.host}.`), challenge: false };
    if (!API_VERSION.test(apiVersion)) return { reply: badParameter(`The api-version '${apiVersion}' is invalid or missing.`), challenge: false };
    const deny = (message: string) => challenge(vault.cloud.entraHost, vault.tenantId, vault.cloud.vaultResource, message);
    const authorization = request.headers.authorization;
    if (authorization === undefined) return { reply: deny(PROBLEMS.malformed), challenge: true };
    const token = /^Bearer (.+)$/i.exec(authorization)?.[1] ?? '';
    const read = await this.#readToken(token);
    if ('problem' in read) return { reply: deny(PROBLEMS[read.problem]), challenge: false };
    const claims = read.claims;
    if (claims.aud !== vault.cloud.vaultResource) return { reply: deny(`AKV10022: Invalid audience. Expected ${vault.cloud.vaultResource}, found: ${String(claims.aud)}.`), challenge: false };
    const expectedIssuer = `https://sts.windows.net/${vault.tenantId}/`;
    if (claims.iss !== expectedIssuer) return { reply: deny(`AKV10032: Invalid issuer. Expected one of ${expectedIssuer}, found ${claims.iss}.`), challenge: false };
    const principal = claims.oid;
    if (!route) return { reply: badParameter(`The fake does not serve ${request.method} ${request.path}.`), challenge: false, principal };
    if (!isAllowed(vault, claims, route.kind, route.operation, route.name)) {
      return { reply: forbidden(vault, claims, route.kind, route.operation, route.name), challenge: false, principal };
    }
    const reply = route.operation === 'list' ? answerList(vault, route, request) : answerGet(vault, route, request);
    return { reply, challenge: false, principal };
  }

  #injected(status: number, request: FakeRequest): FakeReply {
    const route = parseRoute(request.path);
    this.requests.push({
      vault: this.vaultAt(request.host)?.name ?? request.host,
      method: request.method,
      path: request.path,
      apiVersion: request.query.get('api-version') ?? '',
      ...(route ?? {}),
      status,
      challenge: false,
      injected: true,
    });
    return injected(status);
  }
}

function matches(record: VaultRequestRecord, filter: Partial<VaultRequestRecord>): boolean {
  return Object.entries(filter).every(([field, value]) => record[field as keyof VaultRequestRecord] === value);
}
