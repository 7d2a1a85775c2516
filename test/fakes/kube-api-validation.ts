/** The API server's Secret validation, as far as the fake Kubernetes API needs it (422 Invalid causes). */

/** A Kubernetes object as JSON. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string | undefined;
    resourceVersion?: string | undefined;
    creationTimestamp?: string | undefined;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: Array<{ apiVersion?: string; kind?: string; name?: string; uid?: string; controller?: boolean; blockOwnerDeletion?: boolean }>;
  };
  type?: string;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DATA_KEY = /^[-._a-zA-Z0-9]+$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const MAX_SECRET_BYTES = 1024 * 1024;

/** Required keys by Secret type. */
const REQUIRED: Record<string, readonly string[]> = {
  'kubernetes.io/tls': ['tls.crt', 'tls.key'],
  'kubernetes.io/dockerconfigjson': ['.dockerconfigjson'],
  'kubernetes.io/ssh-auth': ['ssh-privatekey'],
};

/** The first validation cause (`data[tls.key]: Required value`), or undefined when the Secret is valid. */
export function validateSecret(secret: KubeObject): string | undefined {
  const name = secret.metadata?.name ?? '';
  if (name === '') return 'metadata.name: Required value: name or generateName is required';
  if (name.length > 253 || !SUBDOMAIN.test(name)) return `metadata.name: Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'`;
  for (const [index, owner] of (secret.metadata?.ownerReferences ?? []).entries()) {
    if (!owner.uid) return `metadata.ownerReferences[${index}].uid: Invalid value: "": uid must not be empty`;
    if (!owner.name) return `metadata.ownerReferences[${index}].name: Invalid value: "": name must not be empty`;
  }
  const data = secret.data ?? {};
  let total = 0;
  for (const [dataKey, value] of Object.entries(data)) {
    if (!DATA_KEY.test(dataKey)) return `data[${dataKey}]: Invalid value: "${dataKey}": a valid config key must consist of alphanumeric characters, '-', '_' or '.'`;
    if (!BASE64.test(value)) return `data[${dataKey}]: Invalid value: illegal base64 data`;
    total += Buffer.from(value, 'base64').byteLength;
  }
  if (total > MAX_SECRET_BYTES) return `data: Too long: must have at most ${MAX_SECRET_BYTES} bytes`;
  const type = secret.type ?? 'Opaque';
  for (const required of REQUIRED[type] ?? []) {
    if (!(required in data)) return `data[${required}]: Required value`;
  }
  if (type === 'kubernetes.io/basic-auth' && !('username' in data) && !('password' in data)) return 'data[username]: Required value: must specify at least one of username or password';
  return undefined;
}
