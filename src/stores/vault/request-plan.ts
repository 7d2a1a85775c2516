/** Turns one fetch request and the mount serving it into the Vault call to make, and says whether its answer may be shared between pods. Pure. */
import { ConfigError, PermissionError } from '../../errors/courier-error.ts';
import type { FetchRequest } from '../backend.ts';
import type { ReadCall } from './client.ts';
import { kvV2DataPath } from './locator.ts';
import type { LocatedMount } from './mounts.ts';
import type { Shape } from './response.ts';
import { methodProblem, PARAM, type VaultMethod } from './settings.ts';

/** What a request asks for, read from its parameters before any mount is known. */
export interface RequestBasics {
  readonly method: VaultMethod;
  /** The path as written (a native locator, or a secretPath without `/v1/` and query). */
  readonly path: string;
  /** A query string the class wrote (secretPath's `?version=2`). */
  readonly query: string;
  readonly args: Readonly<Record<string, unknown>> | undefined;
  readonly shape: Shape;
  /** The path is sent as written (the Vault provider's secretPath); otherwise KV v2 paths get `data/`. */
  readonly asWritten: boolean;
  readonly kvOnly: boolean;
  readonly version: string | undefined;
}

/** The call to make and how its answer is treated. */
export interface RequestPlan {
  readonly call: ReadCall;
  /** True when the answer may be leased or otherwise the pod's own: never shared with another pod. */
  readonly perPod: boolean;
  /** True when the path reads a KV v2 secret, whose value is `data.data` and version `metadata.version`. */
  readonly kv2: boolean;
  readonly shape: Shape;
}

/** Reads a request's parameters. Throws ConfigError for a method, arguments or pin the store cannot send. */
export function basicsOf(request: FetchRequest): RequestBasics {
  const params = request.storeParams;
  const method = (params[PARAM.method] ?? 'GET').toUpperCase();
  const problem = methodProblem(method);
  if (problem !== undefined) throw new ConfigError(`method: ${problem}`);
  if (request.stage !== undefined) throw new ConfigError('Vault has no staging labels; pin a KV v2 version with "version" instead');
  if (request.version !== undefined && !/^[1-9]\d*$/.test(request.version)) throw new ConfigError(`version: "${request.version}" is not a KV v2 version number`);
  const written = params[PARAM.shape];
  const shape: Shape = written === 'provider' || written === 'response' ? written : 'data';
  return {
    method: method as VaultMethod,
    path: request.locator,
    query: params[PARAM.query] ?? '',
    args: readArgs(params[PARAM.args]),
    shape,
    asWritten: params[PARAM.pathStyle] === 'api',
    kvOnly: params[PARAM.kvOnly] === 'true',
    version: request.version,
  };
}

/**
 * The plan for a request. `mount` is the mount serving a GET's path (undefined for PUT/POST, or when
 * Vault would not say). Only KV reads are shared between pods: any other engine may lease its answer
 * (dynamic credentials) or make one per caller, so those are planned per pod.
 */
export function planRequest(basics: RequestBasics, mount: LocatedMount | undefined): RequestPlan {
  const { method, path, version } = basics;
  if (method !== 'GET') {
    if (version !== undefined) throw new ConfigError(`version: only KV v2 reads take a version, not a ${method}`);
    if (basics.kvOnly) throw new ConfigError(`the legacy objects format reads KV secrets with GET, not ${method}`);
    return { call: { path, method, query: basics.query, body: basics.args ?? {} }, perPod: true, kv2: false, shape: basics.shape };
  }
  const kv = mount !== undefined && mount.kvVersion !== undefined;
  if (basics.kvOnly && !kv) {
    throw mount === undefined
      ? new PermissionError(`Vault would not say which engine serves "${path}" (sys/internal/ui/mounts answered 403 or 404); the legacy objects format reads only KV mounts, so grant the role read access under that mount`)
      : new ConfigError(`"${mount.path}" is a ${mount.type} mount; the legacy objects format reads only KV mounts (use the current format, with secretPath, for other engines)`);
  }
  if (mount?.kvVersion === 2) {
    const apiPath = basics.asWritten ? path : kvV2DataPath(path, mount.segments);
    const kv2 = apiPath.split('/')[mount.segments] === 'data';
    return { call: { path: apiPath, method, query: queryOf(basics, kv2 ? version : undefined), body: undefined }, perPod: false, kv2, shape: basics.shape };
  }
  if (version !== undefined) {
    const what = mount === undefined ? `Vault would not say which engine serves "${path}"` : `"${mount.path}" is a ${mount.type === 'kv' || mount.type === 'generic' ? 'KV version 1' : mount.type} mount`;
    throw new ConfigError(`version: only KV version 2 secrets have versions, and ${what}`);
  }
  return { call: { path, method, query: queryOf(basics, undefined), body: undefined }, perPod: !kv, kv2: false, shape: basics.shape };
}

/** The query of a GET: what the class wrote, the version pin, and `args` as parameters. */
function queryOf(basics: RequestBasics, version: string | undefined): string {
  const query = new URLSearchParams(basics.query);
  if (version !== undefined) query.set('version', version);
  for (const [name, value] of Object.entries(basics.args ?? {})) {
    for (const item of Array.isArray(value) ? (value as unknown[]) : [value]) query.append(name, typeof item === 'string' ? item : JSON.stringify(item));
  }
  return query.toString();
}

function readArgs(text: string | undefined): Readonly<Record<string, unknown>> | undefined {
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ConfigError('args: is not a mapping');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ConfigError('args: is not a mapping');
  return parsed as Record<string, unknown>;
}

/** The key that says two requests make the same Vault call. */
export function callKey(call: ReadCall): string {
  return JSON.stringify([call.method, call.path, call.query, call.body ?? null]);
}
