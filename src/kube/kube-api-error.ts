/** The error of a Kubernetes API call the API server answered with an error status: the HTTP code and its Status object, nothing else of the body. */

/** The fields of a `kind: Status` body Courier reads. */
export interface KubeStatus {
  /** `NotFound`, `AlreadyExists`, `Conflict`, `Invalid`, `Forbidden`, ... */
  readonly reason?: string;
  /** For users: a 422 names the rule that was broken (field paths and names, not data values). */
  readonly message?: string;
}

/**
 * A call answered with a status of 400 or more. Only a Status object is kept from the body: an
 * error answer is never a Secret, but whatever else a proxy might send is not repeated either.
 * The message names the method, path and code, so logging the error shows no body text.
 */
export class KubeApiError extends Error {
  override readonly name = 'KubeApiError';
  /** The HTTP status code. */
  readonly code: number;
  /** The Status object of the answer, or undefined when the body was not one. */
  readonly status: KubeStatus | undefined;

  constructor(method: string, path: string, code: number, status: KubeStatus | undefined) {
    super(`the Kubernetes API answered ${method} ${path} with HTTP ${code}${status?.reason ? ` (${status.reason})` : ''}`);
    this.code = code;
    this.status = status;
  }
}

/** The reason and message of `body` when it is a Status object; undefined otherwise. */
export function parseStatus(body: unknown): KubeStatus | undefined {
  if (typeof body !== 'object' || body === null || (body as { kind?: unknown }).kind !== 'Status') return undefined;
  const { reason, message } = body as { reason?: unknown; message?: unknown };
  return { ...(typeof reason === 'string' ? { reason } : {}), ...(typeof message === 'string' ? { message } : {}) };
}
