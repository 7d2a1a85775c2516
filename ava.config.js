// Unit and integration tests: TypeScript sources run directly on Node.js 26's type stripping.
export default {
  // The chart and kustomize tests run helm and kustomize, which the e2e tier builds: they run there.
  files: ['test/**/*.test.ts', '!test/e2e/**', '!test/cluster/**', '!test/manifests/helm-chart.test.ts', '!test/manifests/chart-flags.test.ts', '!test/manifests/kustomize.test.ts', '!test/manifests/monitoring-chart.test.ts'],
  extensions: { ts: 'module' },
  timeout: '60s',
  environmentVariables: { COURIER_TEST: '1' },
  // Tests plan classes directly; serving loads the template engine before planning one that may hold a template.
  require: ['./test/helpers/load-template-engine.ts'],
};
