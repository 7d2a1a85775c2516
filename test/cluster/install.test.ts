import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { AuthorizationV1Api, type KubeConfig } from '@kubernetes/client-node';
import { tempDir } from '../helpers/temp-dir.ts';
import { courierKubeconfig, installCourier, startClusterCourier, type CourierManifests } from './harness/courier.ts';
import { loadKubeConfig, writeKubeconfig } from './harness/kubeconfig.ts';
import { createNamespace, createServiceAccount, requestToken } from './harness/kube-objects.ts';
import { applySpc, contents, publish, startPod } from './harness/pods.ts';
import { useStack, type Stack } from './harness/stack.ts';

// Item 1 of the cluster tier: Courier's kustomize base and Helm chart applied to a real API server, and
// Courier run with the token of the ServiceAccount they create, so the real RBAC authorises every call.

const APP_NS = 'install-app';
const OTHER_NS = 'install-other';
const SERVICE_ACCOUNTS = '/serviceaccounts:get';
// Pod events (on by default): create an Event on the mounting pod and update its series count.
const EVENTS = ['events.k8s.io/events:create', 'events.k8s.io/events:patch'];
const SECRETS = ['/secrets:create', '/secrets:get', '/secrets:patch', '/secrets:update'];

let stack: Stack;

test.before(async () => {
  stack = await useStack();
  for (const namespace of [APP_NS, OTHER_NS]) {
    await createNamespace(stack.admin, namespace);
    await createServiceAccount(stack.admin, namespace, 'app');
  }
});

test.after.always(async () => {
  await stack?.stop();
});

/** Installs `manifests` and returns a client-node config authenticating as Courier's ServiceAccount. */
async function installAsCourier(t: ExecutionContext, manifests: CourierManifests): Promise<{ config: KubeConfig; kubeconfig: string }> {
  const install = await installCourier(t, stack, manifests);
  const kubeconfig = await courierKubeconfig(t, stack, install, await tempDir(t, 'courier-install-'));
  return { config: loadKubeConfig(kubeconfig), kubeconfig };
}

/** What the API server's RBAC lets the caller do in `namespace`, as sorted `group/resource:verb` strings. */
async function rulesIn(config: KubeConfig, namespace: string): Promise<string[]> {
  const review = await config.makeApiClient(AuthorizationV1Api).createSelfSubjectRulesReview({ body: { spec: { namespace } } });
  const granted = new Set<string>();
  for (const rule of review.status?.resourceRules ?? []) {
    for (const group of rule.apiGroups ?? []) {
      for (const resource of rule.resources ?? []) {
        for (const verb of rule.verbs) granted.add(`${group}/${resource}:${verb}`);
      }
    }
  }
  return [...granted].sort();
}

/**
 * What Courier's token may do in `namespace` beyond what every ServiceAccount may (the API server's
 * default grants to authenticated users, read from a ServiceAccount that has no bindings at all).
 */
async function grantedRules(t: ExecutionContext, config: KubeConfig, namespace: string): Promise<string[]> {
  const { token } = await requestToken(stack.admin, APP_NS, 'app');
  const file = join(await tempDir(t, 'courier-install-baseline-'), 'app.kubeconfig');
  await writeKubeconfig(file, { server: stack.server, caPem: stack.caPem, user: { token } });
  const everyone = new Set(await rulesIn(loadKubeConfig(file), namespace));
  return (await rulesIn(config, namespace)).filter((rule) => !everyone.has(rule));
}

const grantsExactly = test.macro({
  async exec(t, manifests: CourierManifests, expected: readonly string[]) {
    const { config } = await installAsCourier(t, manifests);
    for (const namespace of [APP_NS, OTHER_NS]) t.deepEqual(await grantedRules(t, config, namespace), expected, `rules in ${namespace}`);
  },
  title: (_, manifests: CourierManifests, expected: readonly string[]) =>
    `${'kustomize' in manifests ? manifests.kustomize : `${manifests.chart} with ${JSON.stringify(manifests.values ?? {})}`} grants courier exactly ${expected.join(', ')}`,
});

test(grantsExactly, { kustomize: 'manifests/base' }, [SERVICE_ACCOUNTS, ...EVENTS].sort());
test(grantsExactly, { kustomize: 'manifests/overlays/mirror-secrets' }, [...SECRETS, SERVICE_ACCOUNTS, ...EVENTS].sort());
test(grantsExactly, { chart: 'manifests/charts/courier', namespace: 'courier-chart' }, [SERVICE_ACCOUNTS, ...EVENTS].sort());
test(grantsExactly, { chart: 'manifests/charts/courier', namespace: 'courier-chart', values: { 'mirrorSecrets.enabled': 'true' } }, [...SECRETS, SERVICE_ACCOUNTS, ...EVENTS].sort());
test(grantsExactly, { chart: 'manifests/charts/courier', namespace: 'courier-chart', values: { 'podEvents.enabled': 'false' } }, [SERVICE_ACCOUNTS]);

/** One access check made with Courier's own token: the real authorizer's answer. */
interface Access {
  /** The API group; '' is core/v1. */
  readonly group?: string;
  readonly verb: string;
  readonly resource: string;
  readonly subresource?: string;
  readonly namespace: string;
}

async function allowed(config: KubeConfig, access: Access): Promise<boolean> {
  const review = await config.makeApiClient(AuthorizationV1Api).createSelfSubjectAccessReview({ body: { spec: { resourceAttributes: { ...access, group: access.group ?? '' } } } });
  return review.status?.allowed ?? false;
}

const CHECKS: ReadonlyArray<Access & { base: boolean; mirror: boolean }> = [
  { verb: 'get', resource: 'serviceaccounts', namespace: OTHER_NS, base: true, mirror: true },
  { verb: 'list', resource: 'serviceaccounts', namespace: OTHER_NS, base: false, mirror: false },
  { verb: 'create', resource: 'serviceaccounts', subresource: 'token', namespace: OTHER_NS, base: false, mirror: false },
  { verb: 'get', resource: 'secrets', namespace: OTHER_NS, base: false, mirror: true },
  { verb: 'create', resource: 'secrets', namespace: OTHER_NS, base: false, mirror: true },
  { verb: 'list', resource: 'secrets', namespace: OTHER_NS, base: false, mirror: false },
  { verb: 'delete', resource: 'secrets', namespace: OTHER_NS, base: false, mirror: false },
  { verb: 'get', resource: 'pods', namespace: APP_NS, base: false, mirror: false },
  // Events through events.k8s.io only; the core/v1 events resource stays out of reach.
  { verb: 'create', resource: 'events', namespace: APP_NS, base: false, mirror: false },
  { group: 'events.k8s.io', verb: 'create', resource: 'events', namespace: APP_NS, base: true, mirror: true },
  { group: 'events.k8s.io', verb: 'patch', resource: 'events', namespace: OTHER_NS, base: true, mirror: true },
  { group: 'events.k8s.io', verb: 'get', resource: 'events', namespace: APP_NS, base: false, mirror: false },
  { group: 'events.k8s.io', verb: 'delete', resource: 'events', namespace: APP_NS, base: false, mirror: false },
];

test('the real authorizer answers courier\'s own token as the base and the mirror overlay intend', async (t) => {
  const base = await installAsCourier(t, { kustomize: 'manifests/base' });
  t.deepEqual(await Promise.all(CHECKS.map((check) => allowed(base.config, check))), CHECKS.map((check) => check.base), 'base');
  const mirror = await installAsCourier(t, { kustomize: 'manifests/overlays/mirror-secrets' });
  t.deepEqual(await Promise.all(CHECKS.map((check) => allowed(mirror.config, check))), CHECKS.map((check) => check.mirror), 'mirror overlay');
});

test('with only the base\'s RBAC, a mirror fails the Mount with the RBAC it needs, and the files of a plain class still mount', async (t) => {
  const { kubeconfig } = await installAsCourier(t, { kustomize: 'manifests/base' });
  const store = await tempDir(t, 'courier-install-store-');
  await mkdir(join(store, 'app'));
  await writeFile(join(store, 'app', 'db.txt'), 'db-password');
  await startClusterCourier(t, stack, { providerName: 'courier-install', kubeconfig, args: ['--local-store', store, '--mirror-secrets'] });
  const objects = '- {source: "file:app/db.txt", path: db.txt}';
  await applySpc(stack, { namespace: APP_NS, name: 'mirrored', provider: 'courier-install', parameters: { objects, mirror: '- secretName: app-db\n  data: [{objectName: db.txt, key: password}]' } });
  await applySpc(stack, { namespace: APP_NS, name: 'plain', provider: 'courier-install', parameters: { objects } });

  const mirrored = await publish(stack, await startPod(t, stack, { namespace: APP_NS, name: 'mirror-0', serviceAccount: 'app', secretProviderClass: 'mirrored' }));
  t.false(mirrored.result.ok);
  t.regex(mirrored.result.error, /the Kubernetes API refused to let courier get secrets install-app\/app-db; grant courier's service account a ClusterRole rule \{apiGroups: \[""\], resources: \["secrets"\], verbs: \["get"\]\}/);

  const plain = await publish(stack, await startPod(t, stack, { namespace: APP_NS, name: 'plain-0', serviceAccount: 'app', secretProviderClass: 'plain' }));
  t.true(plain.result.ok, plain.result.error);
  t.deepEqual(contents(plain.files), { 'db.txt': 'db-password' });
});
