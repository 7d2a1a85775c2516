/** One identity's access tokens, shared by all its Key Vault clients: one Entra ID request per scope and tenant until shortly before expiry. */
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import { AuthError, type CourierError } from '../../errors/courier-error.ts';
import { ExpiringMemo } from '../../identity/expiring-memo.ts';

/** A token is replaced this long before it expires (or at half its life if that is sooner). */
const REFRESH_MARGIN_MS = 5 * 60_000;

/** How a cached credential reports and maps its requests. */
export interface TokenCacheParts {
  /** Longest one token request may take. */
  readonly timeoutMs: number;
  /** Called once per token request to Entra ID (not per cache hit): 'ok', or the mapped error it failed with. */
  readonly onRequest: (outcome: 'ok' | CourierError) => void;
  /** Maps a failed request to the error every waiting caller gets. */
  readonly toError: (error: unknown) => CourierError;
  readonly now?: () => number;
}

/**
 * Wraps a credential so that concurrent callers share one token request (the secrets, keys and
 * certificates clients of one identity each ask), a token is reused until shortly before it
 * expires, and no request runs longer than `timeoutMs`. A claims challenge (CAE) always asks anew.
 * The caller's abort signal is not passed on: a shared request must not fail because the first
 * Mount that started it gave up.
 */
export class CachedTokenCredential implements TokenCredential {
  readonly #inner: TokenCredential;
  readonly #parts: TokenCacheParts;
  readonly #tokens: ExpiringMemo<AccessToken>;
  readonly #now: () => number;

  constructor(inner: TokenCredential, parts: TokenCacheParts) {
    this.#inner = inner;
    this.#parts = parts;
    this.#now = parts.now ?? Date.now;
    this.#tokens = new ExpiringMemo(16, this.#now);
  }

  getToken(scopes: string | string[], options: GetTokenOptions = {}): Promise<AccessToken> {
    const key = JSON.stringify([[scopes].flat(), options.tenantId ?? '', options.enableCae === true]);
    if (options.claims !== undefined && options.claims !== '') this.#tokens.delete(key);
    return this.#tokens.get(key, () => this.#request(scopes, options), this.#parts.timeoutMs);
  }

  async #request(scopes: string | string[], options: GetTokenOptions): Promise<{ value: AccessToken; until: number }> {
    const started = this.#now();
    const signal = AbortSignal.timeout(this.#parts.timeoutMs);
    const forwarded: GetTokenOptions = {
      abortSignal: signal,
      ...(options.tenantId === undefined ? {} : { tenantId: options.tenantId }),
      ...(options.claims === undefined ? {} : { claims: options.claims }),
      ...(options.enableCae === undefined ? {} : { enableCae: options.enableCae }),
    };
    let token: AccessToken | null;
    try {
      token = await untilTimeout(this.#inner.getToken(scopes, forwarded), signal, this.#parts.timeoutMs);
    } catch (error) {
      const mapped = this.#parts.toError(error);
      this.#parts.onRequest(mapped);
      throw mapped;
    }
    this.#parts.onRequest('ok');
    if (token === null) throw new AuthError('Entra ID answered without an access token');
    const lifetime = Math.max(0, token.expiresOnTimestamp - started);
    return { value: token, until: token.expiresOnTimestamp - Math.min(REFRESH_MARGIN_MS, lifetime / 2) };
  }
}

/** `promise`, or a timeout error once `signal` fires (credentials do not all honour their abort signal). */
function untilTimeout<T>(promise: Promise<T>, signal: AbortSignal, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error(`the token request took longer than ${timeoutMs / 1000} s`));
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
