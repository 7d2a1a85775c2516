/** `courier doctor`: checks the installation for the flags courier serve runs with, and prints one PASS/FAIL/SKIP line per check. */
import { createKubeClientAtStartup, type KubeClient } from '../kube/kube-client.ts';
import { createStoreRegistry } from '../stores/registry.ts';
import type { StoreModule } from '../stores/store-module.ts';
import type { StoresFlags } from '../stores/start-stores.ts';
import { RUNTIME_NAME, VERSION } from '../version.ts';
import { checkAccess } from './doctor-access.ts';
import { checkClock, checkCsiDriver, checkDriver, readDaemonSets } from './doctor-cluster.ts';
import { checkEndpoint, checkSocket } from './doctor-local.ts';
import { fail, formatReport, note, type CheckResult } from './doctor-report.ts';

/** The flags courier serve runs with, as far as doctor checks them. */
export interface DoctorFlags {
  readonly kubeconfig?: string;
  readonly socketDir: string;
  readonly providerName: string;
  readonly mirrorSecrets: boolean;
  readonly podEvents: boolean;
  readonly verifyTokens: string;
  /** Pods should get new versions: the CSIDriver must ask kubelet to republish. */
  readonly rotation: boolean;
  readonly timeoutMs: number;
  /** Courier's ServiceAccount, `namespace/name`, impersonated for the RBAC check when --kubeconfig is given. */
  readonly serviceAccount?: string;
  readonly stores: StoresFlags;
}

/** What doctor runs with; tests pass their own environment and client. */
export interface DoctorContext {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly kube?: KubeClient;
  readonly modules?: readonly StoreModule[];
}

/** Runs every check and prints the report; returns 1 when one fails. */
export async function doctorCommand(flags: DoctorFlags, context: DoctorContext = { env: process.env }): Promise<number> {
  const results = await runChecks(flags, context);
  const source = flags.kubeconfig === undefined ? 'in-cluster config' : `kubeconfig ${flags.kubeconfig}`;
  process.stdout.write(formatReport(`${RUNTIME_NAME} doctor ${VERSION} (Kubernetes API: ${source})`, results));
  return results.some((result) => result.status === 'fail') ? 1 : 0;
}

/** The checks, in the order they are printed. */
export async function runChecks(flags: DoctorFlags, context: DoctorContext): Promise<CheckResult[]> {
  const modules = context.modules ?? createStoreRegistry().modules;
  const enabled = modules.filter((module) => module.enabled(flags.stores[module.name] ?? {}));
  const requirements = enabled.map((module) => ({ module, needs: module.requirements?.(flags.stores[module.name] ?? {}, context.env) ?? { tokenAudiences: [], endpoints: [] } }));
  const results: CheckResult[] = [];
  let kube = context.kube;
  try {
    kube ??= createKubeClientAtStartup(flags.kubeconfig, context.env);
    kube.check();
  } catch (error) {
    results.push(fail(`Kubernetes API: ${error instanceof Error ? error.message : String(error)}`, 'run courier doctor in the Courier pod, or pass --kubeconfig'));
    kube = undefined;
  }
  if (kube) {
    const audiences = new Map(requirements.flatMap(({ module, needs }) => needs.tokenAudiences.map((audience): [string, string] => [audience, module.name])));
    results.push(...(await checkCsiDriver(kube, audiences, flags.rotation)));
    const daemonSets = await readDaemonSets(kube);
    results.push(...(Array.isArray(daemonSets) ? checkDriver(daemonSets, flags.providerName) : [daemonSets]));
  }
  results.push(await checkSocket(flags.socketDir, flags.providerName, flags.timeoutMs));
  if (kube) {
    const impersonate = flags.kubeconfig === undefined ? undefined : serviceAccountUser(flags.serviceAccount ?? 'courier-system/courier');
    results.push(await checkAccess(kube, flags, impersonate));
  }
  for (const { module, needs } of requirements) {
    for (const endpoint of needs.endpoints) results.push(await checkEndpoint(`${module.name} endpoint ${endpoint.name}`, endpoint.url, flags.timeoutMs));
    for (const line of needs.notes ?? []) results.push(note(`${module.name}: ${line}`));
  }
  if (kube) results.push(await checkClock(kube));
  return results;
}

/** `courier-system/courier` → the user name of that ServiceAccount. */
function serviceAccountUser(account: string): string {
  const [namespace, name] = account.split('/');
  return `system:serviceaccount:${namespace ?? 'courier-system'}:${name ?? 'courier'}`;
}
