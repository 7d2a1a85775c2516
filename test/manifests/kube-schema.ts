/**
 * Offline validation of Kubernetes objects: kubernetes-models' OpenAPI validators (types, formats, required
 * fields) plus an unknown-field check, which those validators lack (they allow additional properties).
 * The unknown-field check walks the object along the field lists @kubernetes/client-node generates from the
 * same OpenAPI document; the CRDs Courier's manifests use get a hand-written list of their fields.
 */
import * as k8s from '@kubernetes/client-node';

interface Attribute {
  readonly baseName: string;
  readonly type: string;
}
interface ModelClass {
  getAttributeTypeMap(): readonly Attribute[];
}
/** A field list for objects the client library has no model for: field → type (a model name or a nested shape). */
type Shape = { readonly [field: string]: string | Shape };

const models = k8s as unknown as Record<string, Partial<ModelClass> | undefined>;

const CRD_SHAPES: Readonly<Record<string, Shape>> = {
  'secrets-store.csi.x-k8s.io/v1/SecretProviderClass': {
    apiVersion: 'string',
    kind: 'string',
    metadata: 'V1ObjectMeta',
    spec: {
      provider: 'string',
      parameters: '{ [key: string]: string; }',
      secretObjects: 'Array<SecretObject>',
    },
  },
  'monitoring.coreos.com/v1/ServiceMonitor': {
    apiVersion: 'string',
    kind: 'string',
    metadata: 'V1ObjectMeta',
    spec: {
      jobLabel: 'string',
      selector: 'V1LabelSelector',
      namespaceSelector: { any: 'boolean', matchNames: 'Array<string>' },
      endpoints: 'Array<ServiceMonitorEndpoint>',
    },
  },
  'monitoring.coreos.com/v1/PodMonitor': {
    apiVersion: 'string',
    kind: 'string',
    metadata: 'V1ObjectMeta',
    spec: {
      jobLabel: 'string',
      selector: 'V1LabelSelector',
      namespaceSelector: { any: 'boolean', matchNames: 'Array<string>' },
      podMetricsEndpoints: 'Array<ServiceMonitorEndpoint>',
    },
  },
  'monitoring.coreos.com/v1/PrometheusRule': {
    apiVersion: 'string',
    kind: 'string',
    metadata: 'V1ObjectMeta',
    spec: { groups: 'Array<RuleGroup>' },
  },
};
const CRD_TYPES: Readonly<Record<string, Shape>> = {
  SecretObject: { secretName: 'string', type: 'string', labels: '{ [key: string]: string; }', annotations: '{ [key: string]: string; }', data: 'Array<SecretObjectData>' },
  SecretObjectData: { objectName: 'string', key: 'string' },
  ServiceMonitorEndpoint: { port: 'string', path: 'string', scheme: 'string', interval: 'string', scrapeTimeout: 'string', honorLabels: 'boolean' },
  RuleGroup: { name: 'string', interval: 'string', limit: 'number', rules: 'Array<Rule>' },
  Rule: { alert: 'string', record: 'string', expr: 'string', for: 'string', keep_firing_for: 'string', labels: '{ [key: string]: string; }', annotations: '{ [key: string]: string; }' },
};

/** The client library's model name for an object: `apps/v1` DaemonSet → V1DaemonSet. */
function modelName(apiVersion: string, kind: string): string {
  const version = apiVersion.split('/').pop() ?? '';
  return `${version.charAt(0).toUpperCase()}${version.slice(1)}${kind}`;
}

/** Problems with `object` against the OpenAPI schema of its kind, as `path: message` lines; empty when valid. */
export async function validateObject(object: Record<string, unknown>): Promise<string[]> {
  const apiVersion = String(object['apiVersion']);
  const kind = String(object['kind']);
  const crd = CRD_SHAPES[`${apiVersion}/${kind}`];
  if (crd) return checkFields(object, crd, kind);
  const problems: string[] = [];
  const module = (await import(`kubernetes-models/${apiVersion}/${kind}`).catch(() => undefined)) as Record<string, new (data: unknown) => { validate(): void }> | undefined;
  const Model = module?.[kind];
  if (!Model) return [`${apiVersion} ${kind}: no schema for this kind`];
  try {
    new Model(object).validate();
  } catch (error) {
    problems.push(...(error as Error).message.split(', ').map((line) => `${kind}: ${line}`));
  }
  return [...problems, ...checkFields(object, modelName(apiVersion, kind), kind)];
}

/** Unknown fields and wrong JSON types along `type` (a client-library type string or a CRD shape). */
function checkFields(value: unknown, type: string | Shape, path: string): string[] {
  if (value === null || value === undefined) return [];
  if (typeof type !== 'string') return checkShape(value, type, path);
  const array = /^Array<(.+)>$/.exec(type);
  if (array) return Array.isArray(value) ? value.flatMap((item, index) => checkFields(item, array[1] ?? 'any', `${path}[${index}]`)) : [`${path}: must be a list`];
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) return isObject(value) ? Object.entries(value).flatMap(([key, item]) => checkFields(item, map[1] ?? 'any', `${path}.${key}`)) : [`${path}: must be a mapping`];
  // Quantities (resources.limits.cpu: 1) may be numbers; everything else typed string must be a string.
  if (type === 'string') return typeof value === 'string' || (typeof value === 'number' && /\.resources\.(limits|requests)\./.test(path)) ? [] : [`${path}: must be a string, not ${JSON.stringify(value)}`];
  if (type === 'boolean') return typeof value === 'boolean' ? [] : [`${path}: must be a boolean`];
  if (type === 'number') return typeof value === 'number' ? [] : [`${path}: must be a number`];
  if (['any', 'object', 'Date', 'IntOrString'].includes(type)) return [];
  const crdType = CRD_TYPES[type];
  if (crdType) return checkShape(value, crdType, path);
  const model = models[type];
  if (typeof model?.getAttributeTypeMap !== 'function') return [`${path}: no schema for type ${type}`];
  const shape = Object.fromEntries(model.getAttributeTypeMap().map((attribute) => [attribute.baseName, attribute.type]));
  return checkShape(value, shape, path);
}

function checkShape(value: unknown, shape: Shape, path: string): string[] {
  if (!isObject(value)) return [`${path}: must be a mapping`];
  return Object.entries(value).flatMap(([key, item]) => {
    const type = shape[key];
    return type === undefined ? [`${path}.${key}: unknown field`] : checkFields(item, type, `${path}.${key}`);
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
