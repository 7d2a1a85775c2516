/** What both token test files share: a gcp class, a pod whose ServiceAccount may impersonate a Google service account, and Courier with the base's RBAC. */
import type { ExecutionContext } from 'ava';
import type { CourierProcess } from '../../e2e/helpers/courier-process.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { startInstalledCourier } from './courier.ts';
import type { GoogleFakes } from './google.ts';
import { createNamespace, createServiceAccount } from './kube-objects.ts';
import type { PodVolume } from './kubelet.ts';
import { applySpc, startPod } from './pods.ts';
import type { Stack } from './stack.ts';

/** The ServiceAccounts of the scenario's namespace. */
export const ACCOUNTS = Object.freeze({ app: 'web', other: 'batch' });
const GSA = 'web@shop-prod.iam.gserviceaccount.com';

/** Creates `namespace` with the two ServiceAccounts, the Google grants, a secret and the `gcp` class. */
export async function prepareTokenScenario(stack: Stack, google: GoogleFakes, namespace: string, provider: string): Promise<void> {
  await createNamespace(stack.admin, namespace);
  await createServiceAccount(stack.admin, namespace, ACCOUNTS.app, { 'iam.gke.io/gcp-service-account': GSA });
  await createServiceAccount(stack.admin, namespace, ACCOUNTS.other, { 'iam.gke.io/gcp-service-account': GSA });
  google.allow(namespace, ACCOUNTS.app, GSA);
  google.allow(namespace, ACCOUNTS.other, GSA);
  google.secretManager.addVersion(`projects/${google.project}/secrets/token-test`, 'token-test-value');
  google.secretManager.grant(`serviceAccount:${GSA}`, '*');
  await applySpc(stack, { namespace, name: 'gcp', provider, parameters: { objects: `- {source: "gcp-sm:projects/${google.project}/secrets/token-test/versions/latest", path: value}` } });
}

/** Courier for the scenario (cache off, so every Mount checks its token afresh), with `extraArgs`. */
export async function startTokenCourier(t: ExecutionContext, stack: Stack, google: GoogleFakes, provider: string, extraArgs: readonly string[] = []): Promise<CourierProcess> {
  return startInstalledCourier(t, stack, { providerName: provider, kubeconfigDir: await tempDir(t), args: [...google.courierArgs, ...extraArgs] });
}

/** A pod of the app's ServiceAccount mounting the `gcp` class. */
export function startAppPod(t: ExecutionContext, stack: Stack, namespace: string, name: string): Promise<PodVolume> {
  return startPod(t, stack, { namespace, name, serviceAccount: ACCOUNTS.app, secretProviderClass: 'gcp' });
}
