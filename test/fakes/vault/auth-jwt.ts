/** The JWT auth method: a JWT verified with `jwt_validation_pubkeys` or a JWKS, then bound audiences, subject and claims. */
import type { KeyObject } from 'node:crypto';
import type { JWK } from 'jose';
import type { FakeClock } from './clock.ts';
import { stringField, type AuthMethod, type LoginOutcome, type LoginRequest } from './engine.ts';
import { errors } from './envelope.ts';
import { globListContains } from './auth-kubernetes.ts';
import { DEFAULT_ALGORITHMS, importPublicKeys, verifyJwt, type PublicKeyInput } from './jwt-verify.ts';

/** A bound claim value: one value or a list of accepted values. */
export type BoundClaim = string | number | boolean | ReadonlyArray<string | number | boolean>;

/** A role of `auth/<mount>/role/<name>` with `role_type: jwt`. */
export interface JwtRole {
  /** The claim naming the user; default `sub`. */
  readonly userClaim?: string;
  readonly boundAudiences?: readonly string[];
  readonly boundSubject?: string;
  readonly boundClaims?: Readonly<Record<string, BoundClaim>>;
  /** `glob` lets string bound claims use `*`. */
  readonly boundClaimsType?: 'string' | 'glob';
  /** Claim → token metadata key. */
  readonly claimMappings?: Readonly<Record<string, string>>;
  readonly tokenPolicies?: readonly string[];
  readonly tokenTtl?: number;
  readonly tokenMaxTtl?: number;
  /** Seconds; 0 means the default. */
  readonly clockSkewLeeway?: number;
  readonly expirationLeeway?: number;
  readonly notBeforeLeeway?: number;
}

/** The method's `config` plus its roles. */
export interface JwtAuthConfig {
  /** `jwt_validation_pubkeys`: PEM public keys. */
  readonly jwtValidationPubkeys?: readonly string[];
  /** A JWKS, as `jwks_url` would serve it. */
  readonly jwks?: { readonly keys: readonly JWK[] };
  readonly boundIssuer?: string;
  readonly defaultRole?: string;
  readonly jwtSupportedAlgs?: readonly string[];
  readonly roles?: Readonly<Record<string, JwtRole>>;
}

/** JWT auth at one mount. */
export class JwtAuth implements AuthMethod {
  readonly type = 'jwt';
  readonly roles = new Map<string, JwtRole>();
  readonly #config: JwtAuthConfig;
  readonly #keys: KeyObject[];
  readonly #clock: FakeClock;

  constructor(clock: FakeClock, config: JwtAuthConfig) {
    this.#clock = clock;
    this.#config = config;
    const keys: PublicKeyInput[] = [...(config.jwtValidationPubkeys ?? []), ...(config.jwks?.keys ?? [])];
    if (keys.length === 0) throw new Error('JWT auth needs jwtValidationPubkeys or jwks');
    this.#keys = importPublicKeys(keys);
    for (const [name, role] of Object.entries(config.roles ?? {})) this.roles.set(name.toLowerCase(), role);
  }

  /** Adds or replaces a role (names are lower-cased, as Vault does). */
  role(name: string, role: JwtRole): this {
    this.roles.set(name.toLowerCase(), role);
    return this;
  }

  async login(request: LoginRequest): Promise<LoginOutcome> {
    const roleName = (stringField(request.body, 'role') || this.#config.defaultRole || '').toLowerCase();
    const fail = (message: string) => ({ role: roleName, reply: errors(400, message) });
    if (roleName === '') return fail('missing role');
    const role = this.roles.get(roleName);
    if (!role) return fail(`role "${roleName}" could not be found`);
    const jwt = stringField(request.body, 'jwt');
    if (jwt === '') return fail('missing token');
    const result = await verifyJwt(jwt, this.#keys, {
      ...(this.#config.boundIssuer ? { issuer: this.#config.boundIssuer } : {}),
      ...(role.boundSubject ? { subject: role.boundSubject } : {}),
      ...(role.boundAudiences ? { audiences: role.boundAudiences } : {}),
      algorithms: this.#config.jwtSupportedAlgs ?? DEFAULT_ALGORITHMS,
      nowSeconds: this.#clock.nowSeconds(),
      clockSkewLeeway: role.clockSkewLeeway ?? 0,
      expirationLeeway: role.expirationLeeway ?? 0,
      notBeforeLeeway: role.notBeforeLeeway ?? 0,
    });
    if ('error' in result) return fail(`error validating token: ${result.error}`);
    const claims = result.claims;
    const aud = typeof claims.aud === 'string' ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud : [];
    if (aud.length > 0 && (role.boundAudiences ?? []).length === 0) return fail('audience claim found in JWT but no audiences bound to the role');
    const userClaim = role.userClaim ?? 'sub';
    const user = claims[userClaim];
    if (user === undefined || user === null) return fail(`claim "${userClaim}" not found in token`);
    if (typeof user !== 'string') return fail(`claim "${userClaim}" could not be converted to string`);
    const meta: Record<string, string> = { role: roleName };
    for (const [claim, key] of Object.entries(role.claimMappings ?? {})) if (typeof claims[claim] === 'string') meta[key] = claims[claim];
    const boundError = checkBoundClaims(role, claims);
    if (boundError) return fail(`error validating claims: ${boundError}`);
    const token = { policies: role.tokenPolicies ?? [], ttl: role.tokenTtl ?? 0, maxTtl: role.tokenMaxTtl ?? 0, meta, displayName: `${request.mount}-${user}`, path: `auth/${request.mount}/login` };
    return { role: roleName, token };
  }
}

function checkBoundClaims(role: JwtRole, claims: Record<string, unknown>): string | undefined {
  for (const [claim, expected] of Object.entries(role.boundClaims ?? {})) {
    const actual = claims[claim];
    if (actual === undefined || actual === null) return `claim "${claim}" is missing`;
    const actualValues = Array.isArray(actual) ? actual : [actual];
    const expectedValues: ReadonlyArray<string | number | boolean> = Array.isArray(expected) ? expected : [expected as string | number | boolean];
    const found = expectedValues.some((want) =>
      actualValues.some((have) => (role.boundClaimsType === 'glob' ? typeof want === 'string' && typeof have === 'string' && globListContains([want], have) : have === want)),
    );
    if (!found) return `claim "${claim}" does not match any associated bound claim values`;
  }
  return undefined;
}
