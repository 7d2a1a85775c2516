import test from 'ava';
import { validateObject } from './kube-schema.ts';

const meta = { name: 'x', namespace: 'demo' };

const reports = test.macro({
  async exec(t, object: Record<string, unknown>, problems: readonly string[]) {
    t.deepEqual(await validateObject(object), problems);
  },
  title: (given = '') => `reports ${given}`,
});

test('accepts a minimal valid Pod', async (t) => {
  t.deepEqual(await validateObject({ apiVersion: 'v1', kind: 'Pod', metadata: meta, spec: { containers: [{ name: 'app', image: 'busybox' }] } }), []);
});

test('an unknown field nested in lists', reports, { apiVersion: 'v1', kind: 'Pod', metadata: meta, spec: { containers: [{ name: 'app', image: 'busybox', volumeMounts: [{ name: 'v', mountPath: '/m', readonly: true }] }] } }, [
  'Pod.spec.containers[0].volumeMounts[0].readonly: unknown field',
]);

test('a missing required field through the OpenAPI validator', reports, { apiVersion: 'v1', kind: 'Pod', metadata: meta, spec: { containers: [{ image: 'busybox' }] } }, [
  'Pod: data/spec/containers/0 must have required property name',
]);

test('a SecretProviderClass parameter that is not a string', reports, { apiVersion: 'secrets-store.csi.x-k8s.io/v1', kind: 'SecretProviderClass', metadata: meta, spec: { provider: 'courier', parameters: { 'aws.usePodIdentity': true } } }, [
  'SecretProviderClass.spec.parameters.aws.usePodIdentity: must be a string, not true',
]);

test('an unknown SecretProviderClass field', reports, { apiVersion: 'secrets-store.csi.x-k8s.io/v1', kind: 'SecretProviderClass', metadata: meta, spec: { provider: 'courier', parameter: {} } }, [
  'SecretProviderClass.spec.parameter: unknown field',
]);

test('an unknown ServiceMonitor endpoint field', reports, { apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: meta, spec: { selector: {}, endpoints: [{ port: 'metrics', intervall: '30s' }] } }, [
  'ServiceMonitor.spec.endpoints[0].intervall: unknown field',
]);

test('a PrometheusRule rule whose for is not a string', reports, { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: meta, spec: { groups: [{ name: 'g', rules: [{ alert: 'A', expr: 'up == 0', for: 10 }] }] } }, [
  'PrometheusRule.spec.groups[0].rules[0].for: must be a string, not 10',
]);

test('an unknown PodMonitor endpoint field', reports, { apiVersion: 'monitoring.coreos.com/v1', kind: 'PodMonitor', metadata: meta, spec: { selector: {}, podMetricsEndpoints: [{ targetPort: 9810 }] } }, [
  'PodMonitor.spec.podMetricsEndpoints[0].targetPort: unknown field',
]);

test('a kind without a schema', reports, { apiVersion: 'example.com/v1', kind: 'Widget', metadata: meta }, ['example.com/v1 Widget: no schema for this kind']);
