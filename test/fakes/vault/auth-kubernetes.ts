/** The Kubernetes auth method: a service-account JWT checked against `pem_keys` (or a TokenReview) and a role's bounds. */
import type { KeyObject } from 'node:crypto';
import type { FakeClock } from './clock.ts';
import { stringField, type AuthMethod, type LoginOutcome, type LoginRequest } from './engine.ts';
import { errors, MESSAGES } from './envelope.ts';
import { importPublicKeys, verifyJwt, type PublicKeyInput } from './jwt-verify.ts';

/** A role of `auth/<mount>/role/<name>`. */
export interface KubernetesRole {
  /** Globs; `['*']` allows any name. */
  readonly boundServiceAccountNames: readonly string[];
  /** Globs; `['*']` allows any namespace. */
  readonly boundServiceAccountNamespaces: readonly string[];
  /** When set, the token's `aud` must contain it. */
  readonly audience?: string;
  readonly tokenPolicies?: readonly string[];
  /** Seconds; 0 or absent means 768h. */
  readonly tokenTtl?: number;
  readonly tokenMaxTtl?: number;
}

/** What a TokenReview says about a token. */
export interface TokenReviewResult {
  readonly authenticated: boolean;
  readonly namespace?: string;
  readonly name?: string;
  readonly uid?: string;
}

/** The method's `config` plus its roles. */
export interface KubernetesAuthConfig {
  /** `pem_keys`: public keys of the service-account issuer; the JWT's signature is verified against them. */
  readonly publicKeys?: readonly PublicKeyInput[];
  /** Without `publicKeys`, Vault skips the signature and asks Kubernetes' TokenReview API; the fake asks this. */
  readonly tokenReview?: (jwt: string) => TokenReviewResult;
  /** When set, the JWT's `iss` must equal it. */
  readonly issuer?: string;
  readonly roles?: Readonly<Record<string, KubernetesRole>>;
}

/** Service account name, namespace and uid from a projected or a legacy secret-based token. */
function serviceAccountOf(claims: Record<string, unknown>): { name: string; namespace: string; uid: string } {
  const projected = claims['kubernetes.io'] as { namespace?: string; serviceaccount?: { name?: string; uid?: string } } | undefined;
  if (projected) return { name: projected.serviceaccount?.name ?? '', namespace: projected.namespace ?? '', uid: projected.serviceaccount?.uid ?? '' };
  const legacy = (key: string) => {
    const value = claims[`kubernetes.io/serviceaccount/${key}`];
    return typeof value === 'string' ? value : '';
  };
  return { name: legacy('service-account.name'), namespace: legacy('namespace'), uid: legacy('service-account.uid') };
}

/** Vault's `StrListContainsGlob`: `*` matches any run of characters. */
export function globListContains(globs: readonly string[], value: string): boolean {
  return globs.some((glob) => new RegExp(`^${glob.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(value));
}

/** Kubernetes auth at one mount. */
export class KubernetesAuth implements AuthMethod {
  readonly type = 'kubernetes';
  readonly roles = new Map<string, KubernetesRole>();
  readonly #config: KubernetesAuthConfig;
  readonly #keys: KeyObject[] | undefined;
  readonly #clock: FakeClock;

  constructor(clock: FakeClock, config: KubernetesAuthConfig) {
    this.#clock = clock;
    this.#config = config;
    this.#keys = config.publicKeys && config.publicKeys.length > 0 ? importPublicKeys(config.publicKeys) : undefined;
    for (const [name, role] of Object.entries(config.roles ?? {})) this.roles.set(name, role);
  }

  /** Adds or replaces a role. */
  role(name: string, role: KubernetesRole): this {
    this.roles.set(name, role);
    return this;
  }

  async login(request: LoginRequest): Promise<LoginOutcome> {
    const roleName = stringField(request.body, 'role');
    if (roleName === '') return { role: '', reply: errors(400, 'missing role') };
    const jwt = stringField(request.body, 'jwt');
    if (jwt === '') return { role: roleName, reply: errors(400, 'missing jwt') };
    const role = this.roles.get(roleName);
    if (!role) return { role: roleName, reply: errors(400, `invalid role name "${roleName}"`) };
    const denied = (message: string) => ({ role: roleName, reply: errors(403, message) });
    const result = await verifyJwt(jwt, this.#keys, {
      ...(this.#config.issuer ? { issuer: this.#config.issuer } : {}),
      ...(role.audience ? { audiences: [role.audience] } : {}),
      nowSeconds: this.#clock.nowSeconds(),
      allowMissingTimes: true,
    });
    if ('error' in result) return denied(result.signature ? MESSAGES.permissionDenied : result.error);
    const account = serviceAccountOf(result.claims);
    if (!(role.boundServiceAccountNames.length === 1 && role.boundServiceAccountNames[0] === '*') && !globListContains(role.boundServiceAccountNames, account.name)) {
      return denied('service account name not authorized');
    }
    if (!(role.boundServiceAccountNamespaces[0] === '*' || globListContains(role.boundServiceAccountNamespaces, account.namespace))) return denied('namespace not authorized');
    if (this.#keys === undefined) {
      // No pem_keys: Vault asks the TokenReview API, and any disagreement is a plain denial.
      const review = this.#config.tokenReview?.(jwt);
      if (!review?.authenticated || review.name !== account.name || review.namespace !== account.namespace || (review.uid ?? account.uid) !== account.uid) return denied(MESSAGES.permissionDenied);
    }
    const meta = { role: roleName, service_account_name: account.name, service_account_namespace: account.namespace, service_account_secret_name: '', service_account_uid: account.uid };
    return {
      role: roleName,
      token: {
        policies: role.tokenPolicies ?? [],
        ttl: role.tokenTtl ?? 0,
        maxTtl: role.tokenMaxTtl ?? 0,
        meta,
        displayName: `${request.mount}-${account.namespace}-${account.name}`,
        path: `auth/${request.mount}/login`,
      },
    };
  }
}

/** A TokenReview that believes every well-formed token (for tests whose pod tokens are not signed). */
export function trustingTokenReview(jwt: string): TokenReviewResult {
  const payload = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
  return { authenticated: true, ...serviceAccountOf(payload) };
}
