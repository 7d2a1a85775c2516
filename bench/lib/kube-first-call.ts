/** One fresh process's first Kubernetes API call (`node kube-first-call.ts VARIANT KUBECONFIG`): prints the RSS it added and the time it took as JSON. */
import { performance } from 'node:perf_hooks';
// A serving Courier has gRPC and its errors loaded before the first API call; so does this process.
await import('../../src/errors/courier-error.ts');

const [variant, kubeconfig] = process.argv.slice(2);
if (kubeconfig === undefined) throw new Error('usage: kube-first-call.ts client-node-import|client-node-call|courier-call KUBECONFIG');

const rssBefore = process.memoryUsage.rss();
const started = performance.now();
if (variant === 'courier-call') {
  // Courier's own module, as `courier serve` loads it on the first Mount that needs the API.
  const [{ createKubeClient }, { createServiceAccountReader }] = await Promise.all([import('../../src/kube/kube-client.ts'), import('../../src/kube/service-account-reader.ts')]);
  await createServiceAccountReader(createKubeClient({ kubeconfig })).annotations('bench', 'app');
} else {
  const { CoreV1Api, KubeConfig } = await import('@kubernetes/client-node');
  const config = new KubeConfig();
  config.loadFromFile(kubeconfig);
  const api = config.makeApiClient(CoreV1Api);
  if (variant === 'client-node-call') await api.readNamespacedServiceAccount({ name: 'app', namespace: 'bench' });
  else if (variant !== 'client-node-import') throw new Error(`unknown variant ${variant ?? ''}`);
}
const ms = performance.now() - started;
process.stdout.write(`${JSON.stringify({ variant, ms, rssAddedBytes: process.memoryUsage.rss() - rssBefore })}\n`);
