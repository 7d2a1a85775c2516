/** Classifies failures of Kubernetes API calls (HTTP status, network, timeout) without exposing response bodies. */
import { CourierError, PermissionError, ThrottledError, UnavailableError } from '../errors/courier-error.ts';
import { KubeApiError } from './kube-api-error.ts';

/** A call Courier made, described for error messages: `get secrets ns/name`. */
export interface KubeCall {
  readonly verb: string;
  /** The plural resource, as RBAC names it: `secrets`, `serviceaccounts`; or a path such as `/openid/v1/jwks` (a non-resource URL). */
  readonly resource: string;
  /** The API group, as RBAC names it (default "", the core group): `events.k8s.io`. */
  readonly group?: string;
  readonly namespace: string;
  readonly name: string;
}

/** The ClusterRole rule that allows `call`, for messages. */
function ruleFor(call: KubeCall): string {
  if (call.resource.startsWith('/')) return `{nonResourceURLs: ["${call.resource}"], verbs: ["${call.verb}"]}`;
  return `{apiGroups: ["${call.group ?? ''}"], resources: ["${call.resource}"], verbs: ["${call.verb}"]}`;
}

/** The HTTP status of a failed call, or undefined when the API never answered. */
export function statusOf(error: unknown): number | undefined {
  return error instanceof KubeApiError ? error.code : undefined;
}

/** The `reason` of the Status object the API answered with (`AlreadyExists`, `Conflict`, ...). */
export function reasonOf(error: unknown): string | undefined {
  return error instanceof KubeApiError ? error.status?.reason : undefined;
}

/**
 * The `message` of the Status object. Only for errors a user must read (a 422 names the rule that
 * was broken: field paths and names, not data values).
 */
export function statusMessageOf(error: unknown): string | undefined {
  return error instanceof KubeApiError ? error.status?.message : undefined;
}

/**
 * Turns a failure other than the ones the caller handles itself into a CourierError. The API's own
 * message is not copied: only the code and the Status object's reason say what happened.
 */
export function toKubeError(error: unknown, call: KubeCall): CourierError {
  if (error instanceof CourierError) return error;
  const code = statusOf(error);
  const what = call.resource.startsWith('/') ? `${call.verb} ${call.resource}` : call.namespace === '' && call.name === '' ? `${call.verb} ${call.resource}` : `${call.verb} ${call.resource} ${call.namespace}/${call.name}`;
  if (code === 403) {
    return new PermissionError(
      `the Kubernetes API refused to let courier ${what}; grant courier's service account a ClusterRole rule ${ruleFor(call)}`,
      { cause: error },
    );
  }
  if (code === 401) return new UnavailableError(`the Kubernetes API rejected courier's own credentials (401) on ${what}`, { cause: error });
  if (code === 429) return new ThrottledError(`the Kubernetes API throttled ${what}`, { cause: error });
  if (code !== undefined) return new UnavailableError(`the Kubernetes API answered ${code}${reasonSuffix(error)} to ${what}`, { cause: error });
  if (isAbort(error)) return new UnavailableError(`the Kubernetes API did not answer ${what} in time`, { cause: error });
  return new UnavailableError(`cannot reach the Kubernetes API to ${what}: ${networkReason(error)}`, { cause: error });
}

function reasonSuffix(error: unknown): string {
  const reason = reasonOf(error);
  return reason ? ` (${reason})` : '';
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError');
}

/** The socket's error code (ECONNREFUSED, ENOTFOUND, CERT_HAS_EXPIRED, ...), also when a wrapper hides it in `cause`. */
function networkReason(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = current.cause;
  }
  return error instanceof Error ? error.message : 'unknown error';
}
