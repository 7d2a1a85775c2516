import test from 'ava';
import { KubeApiError } from '../../src/kube/kube-api-error.ts';
import { toKubeError } from '../../src/kube/kube-errors.ts';

const forbidden = () => new KubeApiError('POST', '/x', 403, { reason: 'Forbidden' });

test('a refusal names the ClusterRole rule in the API group of the resource', (t) => {
  t.is(toKubeError(forbidden(), { verb: 'create', resource: 'events', group: 'events.k8s.io', namespace: 'team-a', name: 'web.1' }).message, 'the Kubernetes API refused to let courier create events team-a/web.1; grant courier\'s service account a ClusterRole rule {apiGroups: ["events.k8s.io"], resources: ["events"], verbs: ["create"]}');
  t.is(toKubeError(forbidden(), { verb: 'create', resource: 'tokenreviews', group: 'authentication.k8s.io', namespace: '', name: '' }).message, 'the Kubernetes API refused to let courier create tokenreviews; grant courier\'s service account a ClusterRole rule {apiGroups: ["authentication.k8s.io"], resources: ["tokenreviews"], verbs: ["create"]}');
});

test('a refused non-resource URL names a nonResourceURLs rule', (t) => {
  t.is(toKubeError(forbidden(), { verb: 'get', resource: '/openid/v1/jwks', namespace: '', name: '' }).message, 'the Kubernetes API refused to let courier get /openid/v1/jwks; grant courier\'s service account a ClusterRole rule {nonResourceURLs: ["/openid/v1/jwks"], verbs: ["get"]}');
});
