/** One fresh process's first Kubernetes API call (`node kube-first-call.ts VARIANT KUBECONFIG [ROOT]`): prints the RSS it added and the time it took as JSON. */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const [variant, kubeconfig, root = new URL('../../', import.meta.url).pathname] = process.argv.slice(2);
if (kubeconfig === undefined) throw new Error('usage: kube-first-call.ts client-node-import|client-node-call|courier-call KUBECONFIG [ROOT with dist/]');
const dist = (path: string) => pathToFileURL(`${root}/dist/${path}`).href;

// What `courier serve` has loaded before its first API call (gRPC, the pipeline, yaml, the stores'
// registry): the figures are what the first call adds to a serving Courier. The compiled code, as the image runs it.
await import(dist('cli/serve-command.js'));

const rssBefore = process.memoryUsage.rss();
const started = performance.now();
if (variant === 'courier-call') {
  // Courier's own modules, as lazy-kube.ts loads them on the first Mount that needs the API.
  const [{ createKubeClient }, { createServiceAccountReader }] = (await Promise.all([import(dist('kube/kube-client.js')), import(dist('kube/service-account-reader.js'))])) as [
    typeof import('../../src/kube/kube-client.ts'),
    typeof import('../../src/kube/service-account-reader.ts'),
  ];
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
