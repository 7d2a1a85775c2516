/** Google access tokens for a pod: its token exchanged at STS, then optionally a Google service account impersonated; cached per identity. */
import { IdentityPoolClient } from 'google-auth-library';
import { AuthError, ConfigError, CourierError, PermissionError, ThrottledError, UnavailableError } from '../../errors/courier-error.ts';
import { ExpiringMemo, type Expiring } from '../../identity/expiring-memo.ts';
import { recorded, type ExchangeRecorder } from '../../observability/exchange-metrics.ts';
import type { ServiceAccountReader } from '../../kube/service-accounts.ts';
import type { PodInfo, TokenMap } from '../../spc/types.ts';
import { federatedPrincipal, GSA_ANNOTATION, type GcpWorkloadIdentity } from './workload-identity.ts';
import type { PodToken } from '../../identity/pod-token.ts';
import { checkedPodToken, NO_SIGNATURE_CHECK, type TokenVerifier } from '../../identity/token-verifier.ts';

export { federatedPrincipal, GSA_ANNOTATION } from './workload-identity.ts';

const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';
const JWT_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:jwt';
const GSA_EMAIL = /^[^@\s/]+@[a-z0-9.-]+$/;
/** A cached token is replaced this long before it expires (or at half its life if that is sooner). */
const REFRESH_MARGIN_MS = 5 * 60_000;
const MAX_ENTRIES = 10_000;

/** Where the exchange happens. */
export interface GcpTokenSourceSettings {
  readonly identity: GcpWorkloadIdentity;
  /** STS token endpoint, default `https://sts.googleapis.com/v1/token`. */
  readonly stsUrl: string;
  /** IAM Credentials base URL, default `https://iamcredentials.googleapis.com`. */
  readonly iamCredentialsUrl: string;
  readonly now?: () => number;
  /** Checks pod-token signatures (`--verify-tokens`); claims are always checked. */
  readonly tokenVerifier?: TokenVerifier;
  /** Longest one STS or IAM Credentials call may take (default 10 s, below any Mount's deadline). */
  readonly exchangeTimeoutMs?: number;
  /** Counts exchanges (courier_token_exchanges_total); cached tokens are not exchanges. */
  readonly onExchange?: ExchangeRecorder;
}

/** One exchange at most this long; a Mount's deadline is far longer, so a hung exchange fails in time to say why. */
const DEFAULT_EXCHANGE_TIMEOUT_MS = 10_000;

/**
 * Turns a pod's service-account token into a Google access token. Tokens are cached per
 * (namespace, service account, Google service account): every pod of one service account acts
 * as the same Google principal, so one exchange serves them all until shortly before expiry.
 * Concurrent Mounts of one identity share one exchange.
 */
export class GcpTokenSource {
  readonly #settings: GcpTokenSourceSettings;
  readonly #serviceAccounts: ServiceAccountReader;
  readonly #now: () => number;
  readonly #tokens: ExpiringMemo<string>;

  constructor(settings: GcpTokenSourceSettings, serviceAccounts: ServiceAccountReader) {
    this.#settings = settings;
    this.#serviceAccounts = serviceAccounts;
    this.#now = settings.now ?? Date.now;
    this.#tokens = new ExpiringMemo(MAX_ENTRIES, this.#now);
  }

  /** The pool and audiences this source exchanges tokens for. */
  get identity(): GcpWorkloadIdentity {
    return this.#settings.identity;
  }

  /**
   * The pod's token for the pool's audience, its claims checked against the request. Throws
   * UNAUTHENTICATED naming the `tokenRequests` audience when the driver sent none.
   */
  podToken(pod: PodInfo, tokens: TokenMap, signal?: AbortSignal): Promise<PodToken> {
    return checkedPodToken(tokens, this.#settings.identity.tokenAudience, pod, 'gcp-sm', this.#settings.tokenVerifier ?? NO_SIGNATURE_CHECK, signal);
  }

  /** The Google service account the pod's ServiceAccount is annotated with, if any. */
  async targetServiceAccount(pod: PodInfo, signal?: AbortSignal): Promise<string | undefined> {
    const annotations = await this.#serviceAccounts.annotations(pod.namespace, pod.serviceAccount, signal);
    const target = annotations[GSA_ANNOTATION]?.trim();
    if (target === undefined || target === '') return undefined;
    if (!GSA_EMAIL.test(target)) {
      throw new ConfigError(`ServiceAccount ${pod.namespace}/${pod.serviceAccount} has annotation ${GSA_ANNOTATION}="${target}", which is not a service account email`);
    }
    return target;
  }

  /** An access token for the pod's identity, impersonating `target` when given. */
  async accessToken(pod: PodInfo, tokens: TokenMap, target: string | undefined, signal?: AbortSignal): Promise<string> {
    // Checked on every call, cached or not: only a pod that holds a token of this identity gets its access token.
    const podToken = await this.podToken(pod, tokens, signal);
    // A caller does not join an exchange that has run past the exchange timeout: it is hung, start anew.
    const exchange = () => recorded(this.#settings.onExchange, target === undefined ? 'workload_identity' : 'impersonation', () => this.#exchange(podToken.token, podToken.namespace, podToken.serviceAccount, target));
    return this.#tokens.get(tokenKey(podToken.namespace, podToken.serviceAccount, target), exchange, this.#timeoutMs());
  }

  /** Drops the access token of this identity (Secret Manager refused it), so the next call exchanges again. */
  forget(pod: PodInfo, target: string | undefined): void {
    this.#tokens.delete(tokenKey(pod.namespace, pod.serviceAccount, target));
  }

  #timeoutMs(): number {
    return this.#settings.exchangeTimeoutMs ?? DEFAULT_EXCHANGE_TIMEOUT_MS;
  }

  async #exchange(subjectToken: string, namespace: string, serviceAccount: string, target: string | undefined): Promise<Expiring<string>> {
    const { identity, stsUrl, iamCredentialsUrl } = this.#settings;
    const client = new IdentityPoolClient({
      audience: identity.stsAudience,
      subject_token_type: JWT_TOKEN_TYPE,
      token_url: stsUrl,
      subject_token_supplier: { getSubjectToken: () => Promise.resolve(subjectToken) },
      scopes: [CLOUD_PLATFORM],
      // Courier retries above the library, within the Mount's deadline; each call is bounded here.
      transporterOptions: { timeout: this.#timeoutMs(), retry: false },
      ...(target === undefined ? {} : { service_account_impersonation_url: `${iamCredentialsUrl.replace(/\/+$/, '')}/v1/projects/-/serviceAccounts/${encodeURIComponent(target)}:generateAccessToken` }),
    });
    const started = this.#now();
    let token: string | null | undefined;
    try {
      token = (await client.getAccessToken()).token;
    } catch (error) {
      throw exchangeError(error, { identity, namespace, serviceAccount, target });
    }
    if (!token) throw new AuthError(`Google STS returned no access token for ${namespace}/${serviceAccount}`);
    const expiry = client.credentials.expiry_date ?? started + 3_600_000;
    const lifetime = Math.max(0, expiry - started);
    return { value: token, until: expiry - Math.min(REFRESH_MARGIN_MS, lifetime / 2) };
  }
}

function tokenKey(namespace: string, serviceAccount: string, target: string | undefined): string {
  return JSON.stringify([namespace, serviceAccount, target ?? '']);
}

interface ExchangeParty {
  readonly identity: GcpWorkloadIdentity;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly target: string | undefined;
}

/** Maps a failed STS or IAM Credentials call to a Courier error whose message says what to fix. */
function exchangeError(error: unknown, party: ExchangeParty): CourierError {
  const response = (error as { response?: { status?: number; config?: { url?: string | URL } } }).response;
  const status = response?.status;
  const url = response?.config?.url?.toString() ?? '';
  const atIam = url.includes(':generateAccessToken');
  const who = `${party.namespace}/${party.serviceAccount}`;
  const detail = oauthDetail(error);
  if (status === undefined) return new UnavailableError(`Google ${atIam ? 'IAM Credentials' : 'STS'} could not be reached for ${who}: ${(error as Error).message}`, { cause: error });
  if (status === 429) return new ThrottledError(`Google ${atIam ? 'IAM Credentials' : 'STS'} throttled the token exchange for ${who}`, { cause: error });
  if (status >= 500) return new UnavailableError(`Google ${atIam ? 'IAM Credentials' : 'STS'} answered ${status} for ${who}`, { cause: error });
  const principal = federatedPrincipal(party.identity, party.namespace, party.serviceAccount);
  if (atIam) {
    return new PermissionError(
      `${principal} may not impersonate ${party.target ?? 'the Google service account'} (IAM Credentials answered ${status}${detail}); grant it roles/iam.workloadIdentityUser on that service account, or fix the ${GSA_ANNOTATION} annotation of ServiceAccount ${who}`,
      { cause: error },
    );
  }
  return new AuthError(
    `Google STS refused the token of ${who} for the workload identity pool ${party.identity.pool} (${status}${detail}); check that the pool trusts this cluster's issuer and that the token audience is "${party.identity.tokenAudience}"`,
    { cause: error },
  );
}

/** The error text Google sent (OAuth `error_description` or JSON `error.message`); never contains a token. */
function oauthDetail(error: unknown): string {
  const data = (error as { response?: { data?: unknown } }).response?.data as { error?: unknown; error_description?: unknown } | undefined;
  if (typeof data?.error_description === 'string') return `: ${data.error_description}`;
  const nested = data?.error as { message?: unknown } | undefined;
  if (typeof nested?.message === 'string') return `: ${nested.message}`;
  return '';
}
