/** The key that says two objects ask a store for the same thing. */
import type { FetchRequest } from '../stores/backend.ts';
import type { ObjectSpec } from '../spc/types.ts';

// Plans are cached and their objects reused Mount after Mount, so each object's request and each
// request's key are made once and remembered with the object (and let go with it).
const requests = new WeakMap<ObjectSpec, FetchRequest>();
const keys = new WeakMap<FetchRequest, string>();

/** The part of an object that a store call depends on; the same (frozen) request every time for one object. */
export function toFetchRequest(object: ObjectSpec): FetchRequest {
  const known = requests.get(object);
  if (known) return known;
  const request: FetchRequest = Object.freeze({
    locator: object.locator,
    ...(object.version === undefined ? {} : { version: object.version }),
    ...(object.stage === undefined ? {} : { stage: object.stage }),
    storeParams: object.storeParams,
  });
  requests.set(object, request);
  return request;
}

/** A string equal for two requests exactly when a store would answer them the same way. */
export function requestKey(request: FetchRequest): string {
  const known = keys.get(request);
  if (known !== undefined) return known;
  const params = Object.keys(request.storeParams)
    .sort()
    .map((key) => [key, request.storeParams[key]]);
  const key = JSON.stringify([request.locator, request.version ?? null, request.stage ?? null, params]);
  // Only frozen requests are remembered: one that can change could change its key.
  if (Object.isFrozen(request)) keys.set(request, key);
  return key;
}
