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

const scoped = new WeakMap<FetchRequest, { readonly store: string; readonly identity: string; readonly key: string }>();

/**
 * The key of a request asked of `store` under `identity`: how objects are grouped and values cached.
 * A planned object comes back Mount after Mount with the same identity, so the last key made for each
 * (frozen) request is remembered with it.
 */
export function scopedRequestKey(store: string, identity: string, request: FetchRequest): string {
  const known = scoped.get(request);
  if (known !== undefined && known.identity === identity && known.store === store) return known.key;
  const key = JSON.stringify([store, identity, requestKey(request)]);
  if (Object.isFrozen(request)) scoped.set(request, { store, identity, key });
  return key;
}
