/** The key that says two objects ask a store for the same thing. */
import type { FetchRequest } from '../stores/backend.ts';
import type { ObjectSpec } from '../spc/types.ts';

/** The part of an object that a store call depends on. */
export function toFetchRequest(object: ObjectSpec): FetchRequest {
  return {
    locator: object.locator,
    ...(object.version === undefined ? {} : { version: object.version }),
    ...(object.stage === undefined ? {} : { stage: object.stage }),
    storeParams: object.storeParams,
  };
}

/** A string equal for two requests exactly when a store would answer them the same way. */
export function requestKey(request: FetchRequest): string {
  const params = Object.keys(request.storeParams)
    .sort()
    .map((key) => [key, request.storeParams[key]]);
  return JSON.stringify([request.locator, request.version ?? null, request.stage ?? null, params]);
}
