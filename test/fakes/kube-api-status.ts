/** What the fake Kubernetes API answers: a code and a JSON body, errors as Status objects like the API server's. */

/** One answer of the fake. */
export interface Answer {
  readonly code: number;
  readonly body: unknown;
  /** Extra response headers (the `date` of /version). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** A Status object like the API server's. */
export function failure(code: number, reason: string, message: string, details?: { name: string; kind: string }): Answer {
  return { code, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code } };
}

/** 422 Invalid for an object of `kind`. */
export function invalid(kind: string, name: string, cause: string): Answer {
  return failure(422, 'Invalid', `${kind} "${name}" is invalid: ${cause}`, { name, kind });
}

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const result: Record<string, unknown> = typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [name, value] of Object.entries(patch)) {
    if (value === null) delete result[name];
    else result[name] = mergePatch(result[name], value);
  }
  return result;
}
