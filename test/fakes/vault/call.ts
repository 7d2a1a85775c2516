/** A plain-fetch Vault caller for the fake's own tests: status, parsed body and headers of one request. */

/** One answer. */
export interface CallResult {
  readonly status: number;
  // Tests index into Vault's JSON freely; the shapes are asserted, not assumed.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly body: any;
  readonly headers: Headers;
}

/** Request options: token, namespace header, JSON body, abort signal. */
export interface CallOptions {
  readonly token?: string;
  readonly namespace?: string;
  readonly body?: unknown;
  readonly signal?: AbortSignal;
}

/** Sends `method path` (path without /v1/) to the fake at `url`. */
export async function callVault(url: string, method: string, path: string, options: CallOptions = {}): Promise<CallResult> {
  const headers: Record<string, string> = { 'x-vault-request': 'true' };
  if (options.token !== undefined) headers['x-vault-token'] = options.token;
  if (options.namespace !== undefined) headers['x-vault-namespace'] = options.namespace;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${url}/v1/${path}`, {
    method,
    headers,
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as unknown), headers: response.headers };
}
