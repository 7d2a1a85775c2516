import { join } from 'node:path';
import test from 'ava';
import { validateObject } from './kube-schema.ts';
import { CHART, helm, helmTemplate, KUBE_VERSION, kustomize, kustomizeBaseWith, only, type KubeObject } from './render.ts';

type Container = { args: string[]; env?: unknown[]; ports: Array<{ name: string }>; volumeMounts: unknown[]; image: string };
type PodTemplate = { metadata: { labels: Record<string, string>; annotations?: Record<string, string> }; spec: { containers: Container[]; volumes: unknown[]; terminationGracePeriodSeconds: number } & Record<string, unknown> };

const VARIANTS: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['default values', []],
  ['every option on', [join(CHART, 'ci/full-values.yaml')]],
  ['metrics off', [join(CHART, 'ci/metrics-off-values.yaml')]],
  ['the /etc/kubernetes providers directory', [join(CHART, 'ci/etc-kubernetes-values.yaml')]],
];

/**
 * The chart without its version-key Secret (the kustomize base has none: a random key per start), so
 * the rest can be compared with the base object for object.
 */
function chartLikeBase(options: Parameters<typeof helmTemplate>[0] = {}): Promise<KubeObject[]> {
  return helmTemplate({ ...options, set: [...(options.set ?? []), 'versionKey.create=false'] });
}

function template(daemonSet: KubeObject): PodTemplate {
  return (daemonSet['spec'] as { template: PodTemplate }).template;
}

function container(daemonSet: KubeObject): Container {
  return template(daemonSet).spec.containers[0] as Container;
}

const lints = test.macro({
  async exec(t, values: readonly string[]) {
    const output = await helm(['lint', CHART, '--strict', '--kube-version', KUBE_VERSION, ...values.flatMap((file) => ['--values', file])]);
    t.regex(output, /1 chart\(s\) linted, 0 chart\(s\) failed/);
  },
  title: (_, values: readonly string[]) => `helm lint --strict passes with ${values.length === 0 ? 'default values' : values.map((file) => file.slice(CHART.length + 1)).join(', ')}`,
});

const validates = test.macro({
  async exec(t, values: readonly string[]) {
    const objects = await helmTemplate({ values });
    t.true(objects.length >= 4);
    for (const object of objects) t.deepEqual(await validateObject(object), [], `${object.kind} ${object.metadata.name}`);
  },
  title: (name = '') => `the chart rendered with ${name} matches the Kubernetes schemas`,
});

for (const [name, values] of VARIANTS) {
  test(lints, values);
  test(name, validates, values);
}

test('with default values the chart renders the kustomize base objects', async (t) => {
  const chart = await chartLikeBase();
  const base = await kustomize('manifests/base');
  const names = (objects: readonly KubeObject[]) => objects.map((object) => `${object.kind}/${object.metadata.name}`).sort();
  t.deepEqual(names(chart), names(base).filter((name) => name !== 'Namespace/courier-system'));
  for (const kind of ['ClusterRole', 'ClusterRoleBinding']) t.deepEqual(only(chart, kind)[kind === 'ClusterRole' ? 'rules' : 'subjects'], only(base, kind)[kind === 'ClusterRole' ? 'rules' : 'subjects']);
  t.deepEqual(template(only(chart, 'DaemonSet')).spec, template(only(base, 'DaemonSet')).spec);
  t.deepEqual(template(only(chart, 'DaemonSet')).metadata.annotations, template(only(base, 'DaemonSet')).metadata.annotations);
  t.like(only(chart, 'DaemonSet')['spec'], { updateStrategy: (only(base, 'DaemonSet')['spec'] as { updateStrategy: object }).updateStrategy });
});

test('with mirroring on the chart adds what the mirror-secrets overlay adds', async (t) => {
  const chart = await chartLikeBase({ set: ['mirrorSecrets.enabled=true'] });
  const overlay = await kustomize('manifests/overlays/mirror-secrets');
  t.deepEqual(only(chart, 'ClusterRole', 'courier-mirror-secrets')['rules'], only(overlay, 'ClusterRole', 'courier-mirror-secrets')['rules']);
  t.deepEqual(only(chart, 'ClusterRoleBinding', 'courier-mirror-secrets')['roleRef'], only(overlay, 'ClusterRoleBinding', 'courier-mirror-secrets')['roleRef']);
  t.deepEqual(container(only(chart, 'DaemonSet')).args, [...container(only(overlay, 'DaemonSet')).args].sort());
});

test('the namespace object carries the Pod Security label a hostPath needs', async (t) => {
  const chart = await helmTemplate({ set: ['namespace.create=true'] });
  t.like(only(chart, 'Namespace').metadata, { name: 'courier-system', labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } });
});

test('settings become flags: true a bare flag, empty left out, lists joined, extra flags win', async (t) => {
  const daemonSet = only(await chartLikeBase({ values: [join(CHART, 'ci/full-values.yaml')], set: ['extraFlags.cache-ttl=90', 'stores.gcp.workloadIdentityProvider='] }), 'DaemonSet');
  t.deepEqual(container(daemonSet).args, [
    '--allow-provider-identity',
    '--aws-region=eu-west-1',
    '--cache-max-bytes=128Mi',
    '--cache-ttl=90',
    '--compat=aws,gcp,vault,openbao',
    '--eks-pod-identity-agent-url=http://169.254.170.23/v1/credentials',
    '--gcp-cluster-location=europe-west1',
    '--gcp-cluster-name=prod',
    '--gcp-project=my-project',
    '--gcp-secret-manager-endpoint=secretmanager-psc.p.googleapis.com:443',
    '--gcp-sts-endpoint=https://sts-psc.p.googleapis.com/v1/token',
    '--gcp-token-audience=my-project.svc.id.goog',
    '--gcp-workload-identity-pool=my-project.svc.id.goog',
    '--grace-period=40',
    '--health-addr=0.0.0.0:9811',
    '--log-level=warn',
    '--max-concurrent-fetches=32',
    '--metrics-addr=0.0.0.0:9810',
    '--mirror-secrets',
    '--provider-name=courier',
    '--socket-dir=/var/run/secrets-store-csi-providers',
    '--vault-addr=https://vault.example.com:8200',
    '--vault-allowed-addrs=https://vault-dr.example.com:8200',
    '--vault-auth-mount=kubernetes-prod',
    '--vault-ca-cert=/etc/courier/vault/ca.crt',
    '--vault-lease-fraction=2/3',
    '--vault-namespace=platform',
    '--vault-tls-files-dir=/etc/courier/vault/classes',
    '--vault-tls-server-name=vault.example.com',
    '--write-files',
  ]);
  t.deepEqual(container(daemonSet).env, [
    { name: 'AWS_ENDPOINT_URL_SECRETS_MANAGER', value: 'https://vpce-0123.secretsmanager.eu-west-1.vpce.amazonaws.com' },
    { name: 'AWS_ENDPOINT_URL_STS', value: 'https://sts.eu-west-1.amazonaws.com' },
    { name: 'NODE_OPTIONS', value: '--max-old-space-size=256' },
  ]);
  t.is(container(daemonSet).image, 'ghcr.io/courier-csi/courier@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef');
});

test('kubelet waits for the grace period plus five seconds, also when it comes from extraFlags', async (t) => {
  t.is(template(only(await helmTemplate({ set: ['gracePeriodSeconds=40'] }), 'DaemonSet')).spec.terminationGracePeriodSeconds, 45);
  const daemonSet = only(await helmTemplate({ set: ['extraFlags.grace-period=60'] }), 'DaemonSet');
  t.is(template(daemonSet).spec.terminationGracePeriodSeconds, 65);
  t.true(container(daemonSet).args.includes('--grace-period=60'));
});

test('write-files mode mounts the kubelet pods directory with host-to-container propagation', async (t) => {
  const daemonSet = only(await chartLikeBase({ set: ['writeFiles.enabled=true'] }), 'DaemonSet');
  t.deepEqual(container(daemonSet).volumeMounts[1], { name: 'kubelet-pods', mountPath: '/var/lib/kubelet/pods', mountPropagation: 'HostToContainer' });
  t.deepEqual(template(daemonSet).spec.volumes[1], { name: 'kubelet-pods', hostPath: { path: '/var/lib/kubelet/pods', type: 'Directory' } });
});

test('write-files mode renders what the write-files component adds', async (t) => {
  const chart = only(await chartLikeBase({ set: ['writeFiles.enabled=true'] }), 'DaemonSet');
  const composed = only(await kustomizeBaseWith(['manifests/components/write-files']), 'DaemonSet');
  t.deepEqual(template(chart).spec.volumes, template(composed).spec.volumes);
  t.deepEqual(container(chart).volumeMounts, container(composed).volumeMounts);
  t.deepEqual(container(chart).args, [...container(composed).args].sort());
});

test('metrics off removes the port, the scrape annotations and the endpoint', async (t) => {
  const daemonSet = only(await helmTemplate({ set: ['metrics.enabled=false', 'metrics.serviceMonitor.enabled=true'] }), 'DaemonSet');
  t.deepEqual(container(daemonSet).ports.map((port) => port.name), ['health']);
  t.is(template(daemonSet).metadata.annotations, undefined);
  t.true(container(daemonSet).args.includes('--metrics-addr=off'));
});

test('the ServiceMonitor scrapes the metrics port of the pods the Service selects', async (t) => {
  const objects = await helmTemplate({ set: ['metrics.serviceMonitor.enabled=true', 'metrics.serviceMonitor.labels.release=prometheus'] });
  const service = only(objects, 'Service');
  const monitor = only(objects, 'ServiceMonitor');
  t.deepEqual((service['spec'] as { selector: unknown }).selector, (only(objects, 'DaemonSet')['spec'] as { selector: { matchLabels: unknown } }).selector.matchLabels);
  t.like(monitor, { metadata: { labels: { release: 'prometheus' } }, spec: { selector: { matchLabels: (service['spec'] as { selector: object }).selector }, endpoints: [{ port: 'metrics', path: '/metrics' }] } });
});

test('values with a typo are rejected by the values schema', async (t) => {
  const error = await t.throwsAsync(helmTemplate({ set: ['logLevell=debug'] }));
  t.regex(error.message, /additional properties 'logLevell' not allowed/);
  const compat = await t.throwsAsync(helmTemplate({ set: ['compat={conjur}'] }));
  t.regex(compat.message, /compat\/0/);
});

test('the version key is a Secret made once, kept on uninstall, mounted read-only and passed as --version-key-file', async (t) => {
  const objects = await helmTemplate();
  const secret = only(objects, 'Secret', 'courier-version-key');
  t.is((secret.metadata as { annotations?: Record<string, string> }).annotations?.['helm.sh/resource-policy'], 'keep');
  t.true(Buffer.from(String((secret['data'] as { key: string }).key), 'base64').byteLength >= 16);
  const daemonSet = only(objects, 'DaemonSet');
  t.true(container(daemonSet).args.includes('--version-key-file=/etc/courier/version-key/key'));
  t.deepEqual(container(daemonSet).volumeMounts.find((mount) => (mount as { name: string }).name === 'version-key'), { name: 'version-key', mountPath: '/etc/courier/version-key', readOnly: true });
});

test('token verification by TokenReview grants create on tokenreviews and nothing else new', async (t) => {
  const chart = await helmTemplate({ set: ['tokenVerification.mode=tokenreview'] });
  t.deepEqual(only(chart, 'ClusterRole', 'courier')['rules'], [
    { apiGroups: [''], resources: ['serviceaccounts'], verbs: ['get'] },
    { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
    // Pod events are on by default; their rule is unchanged by token verification.
    { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] },
  ]);
  t.true(container(only(chart, 'DaemonSet')).args.includes('--verify-tokens=tokenreview'));
});

test('extra volumes and mounts reach the pod, e.g. for Vault TLS files', async (t) => {
  const daemonSet = only(await helmTemplate({ set: ['extraVolumes[0].name=vault-tls', 'extraVolumes[0].secret.secretName=vault-tls', 'extraVolumeMounts[0].name=vault-tls', 'extraVolumeMounts[0].mountPath=/etc/vault-tls', 'extraVolumeMounts[0].readOnly=true'] }), 'DaemonSet');
  t.deepEqual(template(daemonSet).spec.volumes.at(-1), { name: 'vault-tls', secret: { secretName: 'vault-tls' } });
  t.deepEqual(container(daemonSet).volumeMounts.at(-1), { name: 'vault-tls', mountPath: '/etc/vault-tls', readOnly: true });
});
