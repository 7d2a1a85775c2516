import test from 'ava';
import { validateObject } from './kube-schema.ts';
import { kustomize, kustomizeBaseWith, only, type KubeObject } from './render.ts';

type Container = { args: string[]; securityContext: Record<string, unknown>; livenessProbe: unknown; readinessProbe: unknown; volumeMounts: unknown[] };
type PodSpec = { containers: Container[]; volumes: Array<{ name: string; hostPath?: { path: string } }>; terminationGracePeriodSeconds: number } & Record<string, unknown>;

function podSpec(daemonSet: KubeObject): PodSpec {
  return (daemonSet['spec'] as { template: { spec: PodSpec } }).template.spec;
}

function flagValue(args: readonly string[], flag: string): string | undefined {
  return args.find((arg) => arg.startsWith(`${flag}=`))?.slice(flag.length + 1);
}

const validates = test.macro({
  async exec(t, dir: string) {
    const objects = await kustomize(dir);
    t.true(objects.length >= 5);
    for (const object of objects) t.deepEqual(await validateObject(object), [], `${object.kind} ${object.metadata.name}`);
  },
  title: (_, dir: string) => `${dir} renders objects that match the Kubernetes schemas`,
});

test(validates, 'manifests/base');
test(validates, 'manifests/overlays/mirror-secrets');
test(validates, 'manifests/overlays/etc-kubernetes');

test('the base holds the namespace, identity, least-privilege RBAC and the DaemonSet', async (t) => {
  const objects = await kustomize('manifests/base');
  t.deepEqual(objects.map((object) => `${object.kind}/${object.metadata.name}`), ['Namespace/courier-system', 'ServiceAccount/courier', 'ClusterRole/courier', 'ClusterRoleBinding/courier', 'DaemonSet/courier']);
  // Read service accounts (identity annotations); create pod events and update their count (--pod-events, on by default).
  t.deepEqual(only(objects, 'ClusterRole')['rules'], [
    { apiGroups: [''], resources: ['serviceaccounts'], verbs: ['get'] },
    { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] },
  ]);
  t.deepEqual(only(objects, 'ClusterRoleBinding')['subjects'], [{ kind: 'ServiceAccount', name: 'courier', namespace: 'courier-system' }]);
});

test('the DaemonSet runs Courier locked down on every Linux node', async (t) => {
  const daemonSet = only(await kustomize('manifests/base'), 'DaemonSet');
  const spec = podSpec(daemonSet);
  const [container] = spec.containers;
  t.like(container?.securityContext, { runAsUser: 0, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, privileged: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } });
  t.like(spec, { priorityClassName: 'system-node-critical', nodeSelector: { 'kubernetes.io/os': 'linux' }, tolerations: [{ operator: 'Exists' }], serviceAccountName: 'courier' });
  t.like(daemonSet['spec'], { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } });
  t.like(container, { livenessProbe: { httpGet: { path: '/healthz', port: 'health' } }, readinessProbe: { httpGet: { path: '/readyz', port: 'health' } } });
  t.deepEqual(spec.volumes, [{ name: 'providers-dir', hostPath: { path: '/var/run/secrets-store-csi-providers', type: 'DirectoryOrCreate' } }]);
  t.is(flagValue(container?.args ?? [], '--socket-dir'), '/var/run/secrets-store-csi-providers');
  t.like((daemonSet['spec'] as { template: { metadata: unknown } }).template.metadata, { annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9810' } });
  t.is(flagValue(container?.args ?? [], '--metrics-addr'), '0.0.0.0:9810');
});

test('kubelet waits for the grace period plus five seconds before killing Courier', async (t) => {
  const spec = podSpec(only(await kustomize('manifests/base'), 'DaemonSet'));
  t.is(spec.terminationGracePeriodSeconds, Number(flagValue(spec.containers[0]?.args ?? [], '--grace-period')) + 5);
});

test('the mirror-secrets overlay adds the secrets role and the flag, nothing more', async (t) => {
  const base = await kustomize('manifests/base');
  const objects = await kustomize('manifests/overlays/mirror-secrets');
  t.deepEqual(only(objects, 'ClusterRole', 'courier-mirror-secrets')['rules'], [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'create', 'update', 'patch'] }]);
  t.like(only(objects, 'ClusterRoleBinding', 'courier-mirror-secrets'), { roleRef: { kind: 'ClusterRole', name: 'courier-mirror-secrets' }, subjects: [{ name: 'courier', namespace: 'courier-system' }] });
  const args = podSpec(only(objects, 'DaemonSet')).containers[0]?.args;
  t.deepEqual(args, [...(podSpec(only(base, 'DaemonSet')).containers[0]?.args ?? []), '--mirror-secrets']);
  t.is(objects.length, base.length + 2);
});

test('the etc-kubernetes overlay only moves the host directory', async (t) => {
  const spec = podSpec(only(await kustomize('manifests/overlays/etc-kubernetes'), 'DaemonSet'));
  t.deepEqual(spec.volumes[0]?.hostPath, { path: '/etc/kubernetes/secrets-store-csi-providers', type: 'DirectoryOrCreate' });
  t.like(spec.containers[0]?.volumeMounts, [{ mountPath: '/var/run/secrets-store-csi-providers' }]);
});

test('the schema check rejects unknown fields and wrong types the models let through', async (t) => {
  const daemonSet = structuredClone(only(await kustomize('manifests/base'), 'DaemonSet'));
  const container = podSpec(daemonSet).containers[0] as unknown as Record<string, unknown>;
  container['securityContext'] = { ...(container['securityContext'] as object), readOnlyRootFS: true };
  podSpec(daemonSet)['tolerate'] = 'all';
  (daemonSet.metadata as Record<string, unknown>)['labels'] = { tier: 1 };
  t.deepEqual(await validateObject(daemonSet), [
    'DaemonSet: data/metadata/labels/tier must be string',
    'DaemonSet.metadata.labels.tier: must be a string, not 1',
    'DaemonSet.spec.template.spec.containers[0].securityContext.readOnlyRootFS: unknown field',
    'DaemonSet.spec.template.spec.tolerate: unknown field',
  ]);
});

test('the base with both components composes and matches the Kubernetes schemas', async (t) => {
  const objects = await kustomizeBaseWith(['manifests/components/write-files', 'manifests/components/mirror-secrets']);
  for (const object of objects) t.deepEqual(await validateObject(object), [], `${object.kind} ${object.metadata.name}`);
  const args = podSpec(only(objects, 'DaemonSet')).containers[0]?.args ?? [];
  t.deepEqual(args.slice(-2), ['--write-files', '--mirror-secrets']);
});

test(validates, 'manifests/overlays/token-review');

test('the token-review overlay adds the tokenreviews role and the flag, nothing more', async (t) => {
  const base = await kustomize('manifests/base');
  const objects = await kustomize('manifests/overlays/token-review');
  t.deepEqual(only(objects, 'ClusterRole', 'courier-token-review')['rules'], [{ apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] }]);
  t.like(only(objects, 'ClusterRoleBinding', 'courier-token-review'), { roleRef: { kind: 'ClusterRole', name: 'courier-token-review' }, subjects: [{ name: 'courier', namespace: 'courier-system' }] });
  t.deepEqual(podSpec(only(objects, 'DaemonSet')).containers[0]?.args, [...(podSpec(only(base, 'DaemonSet')).containers[0]?.args ?? []), '--verify-tokens=tokenreview']);
  t.is(objects.length, base.length + 2);
});
