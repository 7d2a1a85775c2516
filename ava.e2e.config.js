// End-to-end tests: real peers and real tools, which the test:e2e script builds or installs first.
export default {
  // Real peers (the driver's Go client, moto, protocol fakes) and real tools (helm, kustomize, promtool).
  files: ['test/e2e/**/*.test.ts', 'test/manifests/helm-chart.test.ts', 'test/manifests/chart-flags.test.ts', 'test/manifests/kustomize.test.ts', 'test/manifests/monitoring-chart.test.ts'],
  extensions: { ts: 'module' },
  timeout: '10m',
  serial: true,
  concurrency: 1,
};
