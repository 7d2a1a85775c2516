/** Parses a kubeconfig's current context into a KubeTarget (pure): cluster server and TLS, user token, token file, client certificate or basic auth. */
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import { notConfigured, type Credentials, type KubeTarget, type Material } from './kube-target.ts';

type Mapping = Readonly<Record<string, unknown>>;
/** Throws the error for a kubeconfig field (the detail starts with the field's path). */
type Fail = (detail: string) => never;

/** What to use instead of a credential Courier does not run. */
const USE_INSTEAD = 'use a kubeconfig whose user has a token (kubectl create token), a tokenFile or a client certificate';

/**
 * The target of `text`'s current context. `file` is where the text came from: errors name it, and
 * relative file paths in the kubeconfig resolve against its directory, as kubectl resolves them.
 * Files are not read here (kube-settings.ts reads them). Throws a FAILED_PRECONDITION CourierError
 * naming the kubeconfig field at fault.
 */
export function parseKubeconfig(text: string, file: string): KubeTarget {
  const fail: Fail = (detail) => {
    throw notConfigured(`--kubeconfig ${file}: ${detail}`);
  };
  const root = parseYaml(text, file);
  const current = root['current-context'];
  if (typeof current !== 'string' || current === '') throw notConfigured(`--kubeconfig ${file} has no current context with a cluster`);
  const context = entry(root, 'contexts', current, 'context', fail) ?? fail(`current-context: "${current}" is not in contexts`);
  const contextPath = `contexts[name=${current}].context`;
  const clusterName = stringField(context, 'cluster', contextPath, fail);
  if (clusterName === undefined || clusterName === '') fail(`${contextPath}.cluster: is not set`);
  const cluster = entry(root, 'clusters', clusterName, 'cluster', fail) ?? fail(`${contextPath}.cluster: "${clusterName}" is not in clusters`);
  const userName = stringField(context, 'user', contextPath, fail);
  const user = userName === undefined || userName === '' ? {} : (entry(root, 'users', userName, 'user', fail) ?? fail(`${contextPath}.user: "${userName}" is not in users`));
  const clusterPath = `clusters[name=${clusterName}].cluster`;
  const userPath = `users[name=${userName ?? ''}].user`;
  const fields = (mapping: Mapping, path: string) => ({
    text: (key: string) => stringField(mapping, key, path, fail),
    material: (key: string) => material(mapping, key, path, dirname(file), fail),
  });
  const c = fields(cluster, clusterPath);
  if (cluster['proxy-url'] !== undefined) fail(`${clusterPath}.proxy-url: proxies are not supported; reach the API server directly, or through kubectl proxy as an http:// server`);
  const insecure = cluster['insecure-skip-tls-verify'] ?? false;
  if (typeof insecure !== 'boolean') fail(`${clusterPath}.insecure-skip-tls-verify: must be true or false`);
  const tlsServerName = c.text('tls-server-name');
  const u = fields(user, userPath);
  const clientCertificate = u.material('client-certificate');
  const clientKey = u.material('client-key');
  if ((clientCertificate === undefined) !== (clientKey === undefined)) {
    fail(`${userPath}: ${clientCertificate ? 'client-certificate' : 'client-key'} needs ${clientCertificate ? 'client-key' : 'client-certificate'} (or its -data form)`);
  }
  const ca = c.material('certificate-authority');
  return {
    server: server(c.text('server'), `${clusterPath}.server`, fail),
    ...(ca ? { ca } : {}),
    ...(clientCertificate && clientKey ? { clientCertificate, clientKey } : {}),
    insecureSkipTlsVerify: insecure,
    ...(tlsServerName ? { tlsServerName } : {}),
    credentials: credentials(user, userPath, dirname(file), fail),
  };
}

function parseYaml(text: string, file: string): Mapping {
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    // Not the parser's message: it quotes the lines around the error, and a kubeconfig holds tokens and keys.
    const { code, linePos } = error as { code?: string; linePos?: Array<{ line: number; col: number }> };
    const at = linePos?.[0] ? ` at line ${linePos[0].line}, column ${linePos[0].col}` : '';
    throw notConfigured(`cannot load --kubeconfig ${file}: it is not valid YAML (${code ?? 'parse error'}${at})`);
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) throw notConfigured(`cannot load --kubeconfig ${file}: it is not a kubeconfig (a mapping with clusters, users and contexts)`);
  return document as Mapping;
}

/** The `inner` mapping of the entry of list `list` named `name` (`contexts[name=dev].context`). */
function entry(root: Mapping, list: string, name: string, inner: string, fail: Fail): Mapping | undefined {
  const items = root[list] ?? [];
  if (!Array.isArray(items)) fail(`${list}: must be a list`);
  const found = (items as unknown[]).find((item) => typeof item === 'object' && item !== null && (item as Mapping)['name'] === name) as Mapping | undefined;
  if (found === undefined) return undefined;
  const value = found[inner] ?? {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(`${list}[name=${name}].${inner}: must be a mapping`);
  return value as Mapping;
}

function stringField(mapping: Mapping, key: string, path: string, fail: Fail): string | undefined {
  const value = mapping[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') fail(`${path}.${key}: must be a string`);
  return value;
}

/** `KEY-data` (base64, wins as with kubectl) or `KEY` (a file path, relative to the kubeconfig's directory). */
function material(mapping: Mapping, key: string, path: string, dir: string, fail: Fail): Material | undefined {
  const data = stringField(mapping, `${key}-data`, path, fail);
  if (data !== undefined && data !== '') {
    const compact = data.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) fail(`${path}.${key}-data: is not base64`);
    return { data: Buffer.from(compact, 'base64') };
  }
  const file = stringField(mapping, key, path, fail);
  return file === undefined || file === '' ? undefined : { file: resolve(dir, file), field: `${path}.${key}` };
}

function server(value: string | undefined, path: string, fail: Fail): URL {
  if (value === undefined || value === '') fail(`${path}: is not set`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    fail(`${path}: "${value}" is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') fail(`${path}: "${value}" is not an https:// or http:// URL`);
  return url;
}

function credentials(user: Mapping, path: string, dir: string, fail: Fail): Credentials {
  if (user['exec'] !== undefined) {
    const command = nameIn(user['exec'], 'command');
    fail(`${path}.exec: exec credential plugins${command ? ` (${command})` : ''} are not supported by courier; ${USE_INSTEAD}`);
  }
  if (user['auth-provider'] !== undefined) {
    const name = nameIn(user['auth-provider'], 'name');
    fail(`${path}.auth-provider: auth providers${name ? ` (${name})` : ''} are not supported by courier; ${USE_INSTEAD}`);
  }
  const token = stringField(user, 'token', path, fail);
  const tokenFile = stringField(user, 'tokenFile', path, fail);
  const username = stringField(user, 'username', path, fail);
  const password = stringField(user, 'password', path, fail);
  const bearer = (token ?? '') !== '' || (tokenFile ?? '') !== '';
  if (bearer && (username !== undefined || password !== undefined)) fail(`${path}: a token and username/password are both set; keep one`);
  // As with kubectl, a token file wins over an inline token: it is the one kept current.
  if (tokenFile !== undefined && tokenFile !== '') return { kind: 'token-file', file: resolve(dir, tokenFile) };
  if (token !== undefined && token !== '') return { kind: 'token', token };
  if (username !== undefined || password !== undefined) return { kind: 'basic', username: username ?? '', password: password ?? '' };
  return { kind: 'none' };
}

/** `value[key]` when value is a mapping and that is a string: what names an unsupported credential in its error. */
function nameIn(value: unknown, key: string): string | undefined {
  const named: unknown = typeof value === 'object' && value !== null ? (value as Mapping)[key] : undefined;
  return typeof named === 'string' ? named : undefined;
}
