import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import test, { type ExecutionContext } from 'ava';
import { tempDir } from '../helpers/temp-dir.ts';
import { startInstalledCourier } from './harness/courier.ts';
import { useStack, type Stack } from './harness/stack.ts';

// courier doctor against the real API server: the driver's CSIDriver as the tier installs it, and RBAC
// asked with SelfSubjectAccessReviews impersonating the ServiceAccount the kustomize base creates.

const run = promisify(execFile);
const MAIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const PROVIDER = 'courier-doctor';

let stack: Stack;

test.before(async () => {
  stack = await useStack();
});

test.after.always(async () => {
  await stack?.stop();
});

/** A loopback listener standing in for Google's endpoints; closed in teardown. */
async function endpoint(t: ExecutionContext): Promise<number> {
  const server: Server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as { port: number }).port;
}

async function doctor(t: ExecutionContext, extra: readonly string[]): Promise<{ code: number; stdout: string }> {
  const store = await tempDir(t, 'courier-doctor-store-');
  await startInstalledCourier(t, stack, { providerName: PROVIDER, kubeconfigDir: store, args: ['--local-store', store] });
  const port = await endpoint(t);
  const gcp = ['--gcp-project', 'shop-prod', '--gcp-cluster-location', 'europe-west1', '--gcp-cluster-name', 'prod', '--gcp-secret-manager-endpoint', `127.0.0.1:${port}`, '--gcp-sts-endpoint', `http://127.0.0.1:${port}/v1/token`, '--gcp-iam-credentials-endpoint', `http://127.0.0.1:${port}`];
  const args = [MAIN, 'doctor', '--kubeconfig', stack.adminKubeconfig, '--socket-dir', stack.node.providersDir, '--provider-name', PROVIDER, '--local-store', store, ...gcp, ...extra];
  return run(process.execPath, args, { timeout: 60_000 }).then(
    ({ stdout }) => ({ code: 0, stdout }),
    (error: { code?: number; stdout?: string }) => ({ code: error.code ?? 1, stdout: error.stdout ?? '' }),
  );
}

test('doctor reads the real CSIDriver and checks the base\'s RBAC by impersonating courier\'s ServiceAccount', async (t) => {
  const { stdout } = await doctor(t, []);
  t.log(stdout);
  t.regex(stdout, /^PASS {2}CSIDriver secrets-store\.csi\.k8s\.io: tokenRequests include "shop-prod\.svc\.id\.goog"$/m);
  t.regex(stdout, /^PASS {2}CSIDriver secrets-store\.csi\.k8s\.io: requiresRepublish is true, so kubelet republishes and pods get new versions$/m);
  // The tier runs the driver as a process on the host, not as a DaemonSet.
  t.regex(stdout, /^FAIL {2}no DaemonSet runs the Secrets Store CSI driver's image/m);
  t.regex(stdout, new RegExp(`^PASS {2}socket: ${join(stack.node.providersDir, `${PROVIDER}.sock`).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} answers Version \\(courier `, 'm'));
  t.regex(stdout, /^PASS {2}RBAC: system:serviceaccount:courier-system:courier may get serviceaccounts, create events\.k8s\.io\/events, patch events\.k8s\.io\/events and nothing of list secrets, get pods, get secrets$/m);
  t.regex(stdout, /^PASS {2}gcp endpoint Google Secret Manager: 127\.0\.0\.1:\d+ accepts connections/m);
  t.regex(stdout, /^PASS {2}clock: within \d+ s of the API server \(Kubernetes v1\.\d+\.\d+\)$/m);
});

test('doctor says what the base\'s RBAC lacks for --mirror-secrets, from the real authorizer', async (t) => {
  const { code, stdout } = await doctor(t, ['--mirror-secrets']);
  t.is(code, 1);
  t.regex(stdout, /^FAIL {2}RBAC: system:serviceaccount:courier-system:courier may not get secrets \(--mirror-secrets\), create secrets \(--mirror-secrets\), update secrets \(--mirror-secrets\), patch secrets \(--mirror-secrets\)$/m);
});
