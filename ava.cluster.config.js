// The cluster tier: a real etcd, kube-apiserver, kube-controller-manager and the Secrets Store CSI driver's
// node binary, which the test:cluster script builds (scripts/build-cluster.sh) before these run.
export default {
  files: ['test/cluster/**/*.test.ts'],
  extensions: { ts: 'module' },
  timeout: '5m',
  // Each file starts its own stack (or attaches to a shared one); one at a time on two cores, tests in order.
  serial: true,
  concurrency: 1,
};
