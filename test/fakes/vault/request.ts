/** Turns an HTTP request into a Vault request: operation, namespace (header and path prefix), path, token, body. */
import type { IncomingMessage } from 'node:http';
import type { Operation } from './engine.ts';
import type { VaultNamespace } from './namespace.ts';

/** A request as Vault's HTTP layer sees it, before routing. */
export interface VaultRequest {
  readonly method: string;
  /** undefined for a method Vault does not serve (405). */
  readonly operation: Operation | undefined;
  readonly namespace: VaultNamespace | undefined;
  /** The path inside the namespace, without `/v1/`. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly token: string;
  /** The parsed JSON body ({} when empty), or the parse error text. */
  readonly body: Record<string, unknown> | { readonly parseError: string };
  /** The namespace named by the header, for the error when it does not exist. */
  readonly namespaceHeader: string;
}

/** Reads and parses `request` against the namespace tree rooted at `root`. */
export async function readVaultRequest(request: IncomingMessage, root: VaultNamespace): Promise<VaultRequest> {
  const url = new URL(request.url ?? '/', 'http://vault.invalid');
  const method = (request.method ?? 'GET').toUpperCase();
  const header = (name: string) => {
    const value = request.headers[name];
    return (Array.isArray(value) ? value[0] : value) ?? '';
  };
  const bearer = /^Bearer\s+(.+)$/i.exec(header('authorization'))?.[1] ?? '';
  const token = header('x-vault-token') || bearer;
  const namespaceHeader = header('x-vault-namespace').replace(/^\/+|\/+$/g, '');
  const raw = url.pathname.startsWith('/v1/') ? decodeURIComponent(url.pathname.slice(4)) : '';
  const { namespace, path } = resolveNamespace(root, namespaceHeader, raw);
  return { method, operation: operationOf(method, url.searchParams), namespace, path, query: url.searchParams, token, body: await readBody(request), namespaceHeader };
}

/** The operation for an HTTP method, as Vault's logical handler maps it. */
export function operationOf(method: string, query: URLSearchParams): Operation | undefined {
  switch (method) {
    case 'GET':
      return query.get('list') === 'true' ? 'list' : 'read';
    case 'LIST':
      return 'list';
    case 'POST':
    case 'PUT':
      return 'update';
    case 'DELETE':
      return 'delete';
    case 'PATCH':
      return 'patch';
    default:
      return undefined;
  }
}

/**
 * The namespace is the header's, then extended by leading path segments that name child
 * namespaces (`ns1/secret/data/x` or header `ns1` with path `secret/data/x`). An unknown header
 * namespace gives `namespace: undefined`.
 */
export function resolveNamespace(root: VaultNamespace, header: string, path: string): { namespace: VaultNamespace | undefined; path: string } {
  let namespace: VaultNamespace | undefined = root;
  for (const name of header.split('/').filter((part) => part !== '')) namespace = namespace?.children.get(name);
  if (!namespace) return { namespace, path };
  let rest = path;
  for (;;) {
    const slash = rest.indexOf('/');
    const child: VaultNamespace | undefined = slash > 0 ? namespace.children.get(rest.slice(0, slash)) : undefined;
    if (!child) return { namespace, path: rest };
    namespace = child;
    rest = rest.slice(slash + 1);
  }
}

async function readBody(request: IncomingMessage): Promise<VaultRequest['body']> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    return { parseError: 'failed to parse JSON input: json: cannot unmarshal into Go value of type map[string]interface {}' };
  } catch (error) {
    return { parseError: `failed to parse JSON input: ${(error as Error).message}` };
  }
}
