/** Vault's response envelope, and the bytes and version a file gets from it in each shape. Pure. */
import { NotFoundError } from '../../errors/courier-error.ts';

/** Vault's envelope, as the API client reads it. */
export interface VaultResponse {
  readonly requestId: string;
  readonly leaseId: string;
  readonly leaseDurationS: number;
  readonly renewable: boolean;
  readonly data: Readonly<Record<string, unknown>> | null;
  readonly warnings: readonly string[] | null;
  readonly auth: unknown;
  readonly wrapInfo: unknown;
  readonly mountType: string;
}

/** What a file holds: the secret's data (native), the Vault provider's secretKey lookup, or the whole envelope. */
export type Shape = 'data' | 'provider' | 'response';

/** Reads an envelope; undefined when the body is not one. */
export function parseEnvelope(body: unknown): VaultResponse | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const record = body as Record<string, unknown>;
  const data = record['data'];
  const warnings = record['warnings'];
  return {
    requestId: typeof record['request_id'] === 'string' ? record['request_id'] : '',
    leaseId: typeof record['lease_id'] === 'string' ? record['lease_id'] : '',
    leaseDurationS: typeof record['lease_duration'] === 'number' ? record['lease_duration'] : 0,
    renewable: record['renewable'] === true,
    data: typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as Record<string, unknown>) : null,
    warnings: Array.isArray(warnings) ? warnings.filter((item): item is string => typeof item === 'string') : null,
    auth: record['auth'] ?? null,
    wrapInfo: record['wrap_info'] ?? null,
    mountType: typeof record['mount_type'] === 'string' ? record['mount_type'] : '',
  };
}

/** The bytes of a file and the object version, before extraction. */
export interface ShapedValue {
  readonly contents: Uint8Array;
  /** KV v2's metadata.version when the answer carries one; otherwise undefined (the caller hashes the contents). */
  readonly kvVersion: string | undefined;
}

const encoder = new TextEncoder();

/**
 * The file contents for `shape`. `kv2` says the path was a KV v2 data path, whose secret is
 * `data.data`. `what` names the read for messages. Throws NotFoundError for an answer without data.
 */
export function shapeValue(response: VaultResponse, shape: Shape, kv2: boolean, what: string): ShapedValue {
  const metadata = kv2 ? (response.data?.['metadata'] as { version?: unknown } | null | undefined) : undefined;
  const kvVersion = typeof metadata?.version === 'number' ? String(metadata.version) : undefined;
  if (shape === 'response') return { contents: encoder.encode(goJson(envelopeOf(response))), kvVersion };
  if (response.data === null) throw new NotFoundError(`Vault answered the ${what} without data${response.warnings?.length ? ` (warnings: ${response.warnings.join('; ')})` : ''}`);
  if (shape === 'provider') return { contents: encoder.encode(JSON.stringify(providerData(response.data))), kvVersion };
  if (!kv2) return { contents: encoder.encode(JSON.stringify(response.data)), kvVersion };
  const secret = response.data['data'];
  if (typeof secret !== 'object' || secret === null || Array.isArray(secret)) throw new NotFoundError(`the ${what} holds no KV data (the version may be deleted)`);
  return { contents: encoder.encode(JSON.stringify(secret)), kvVersion };
}

/** The Vault provider's secretKey lookup: into `data.data` when that is a map (KV v2), else `data`. */
function providerData(data: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> {
  const nested = data['data'];
  return typeof nested === 'object' && nested !== null && !Array.isArray(nested) ? (nested as Record<string, unknown>) : data;
}

/** The envelope as the Vault provider writes it (the Go client's api.Secret, marshalled). */
function envelopeOf(response: VaultResponse): Record<string, unknown> {
  return {
    request_id: response.requestId,
    lease_id: response.leaseId,
    lease_duration: response.leaseDurationS,
    renewable: response.renewable,
    data: response.data,
    warnings: response.warnings,
    ...(response.auth === null ? {} : { auth: response.auth }),
    ...(response.wrapInfo === null ? {} : { wrap_info: response.wrapInfo }),
    ...(response.mountType === '' ? {} : { mount_type: response.mountType }),
  };
}

/**
 * JSON as Go's encoding/json writes it, which is what the Vault provider's files hold: map keys
 * sorted, `<`, `>`, `&`, U+2028 and U+2029 escaped. The top level keeps its (struct) key order.
 */
export function goJson(value: unknown, top = true): string {
  if (Array.isArray(value)) return `[${value.map((item) => goJson(item === undefined ? null : item, false)).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const keys = top ? Object.keys(value) : Object.keys(value).sort();
    return `{${keys.map((key) => `${goString(key)}:${goJson((value as Record<string, unknown>)[key] ?? null, false)}`).join(',')}}`;
  }
  if (typeof value === 'string') return goString(value);
  return JSON.stringify(value) ?? 'null';
}

function goString(text: string): string {
  return JSON.stringify(text).replace(/[<>&\u2028\u2029]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
