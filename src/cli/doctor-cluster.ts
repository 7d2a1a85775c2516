/** `courier doctor`'s checks through the Kubernetes API: the CSIDriver object, the driver's version and providers directory, the clock. */
import type { KubeClient } from '../kube/kube-client.ts';
import { kubePath } from '../kube/kube-http.ts';
import type { ObjectMeta } from '../kube/kube-objects.ts';
import { statusOf } from '../kube/kube-errors.ts';
import { fail, pass, skip, type CheckResult } from './doctor-report.ts';

/** The driver's CSIDriver object; its name is fixed by the driver. */
export const CSI_DRIVER = 'secrets-store.csi.k8s.io';
/** Courier is tested against driver v1.6.1 (test/e2e, test/cluster); older releases are not. */
export const MIN_DRIVER = [1, 6, 0] as const;
/** Past this difference from the API server's clock, token lifetimes and STS checks go wrong. */
export const MAX_CLOCK_SKEW_MS = 30_000;

/** The fields of an apps/v1 DaemonSet the checks read. */
export interface DaemonSet {
  readonly metadata?: ObjectMeta;
  readonly spec?: {
    readonly template: {
      readonly spec?: {
        readonly containers: ReadonlyArray<{ readonly image?: string; readonly args?: readonly string[] }>;
        readonly volumes?: ReadonlyArray<{ readonly hostPath?: { readonly path: string } }>;
      };
    };
  };
}

/** The fields of a storage.k8s.io/v1 CSIDriver the checks read. */
interface CsiDriver {
  readonly spec: { readonly tokenRequests?: ReadonlyArray<{ readonly audience: string }>; readonly requiresRepublish?: boolean };
}

/** What the CSIDriver must carry for these stores and this rotation setting. */
export async function checkCsiDriver(kube: KubeClient, audiences: ReadonlyMap<string, string>, rotation: boolean): Promise<CheckResult[]> {
  let spec: CsiDriver['spec'];
  try {
    spec = (await kube.request<CsiDriver>({ method: 'GET', path: kubePath`/apis/storage.k8s.io/v1/csidrivers/${CSI_DRIVER}` })).spec;
  } catch (error) {
    if (statusOf(error) === 404) return [fail(`CSIDriver ${CSI_DRIVER} does not exist`, 'install the Secrets Store CSI driver (its Helm chart creates the CSIDriver) before Courier')];
    return [unreadable(`CSIDriver ${CSI_DRIVER}`, error, 'get csidrivers.storage.k8s.io')];
  }
  const requested = new Set((spec.tokenRequests ?? []).map((request) => request.audience));
  const missing = [...audiences].filter(([audience]) => !requested.has(audience));
  const results: CheckResult[] = [];
  if (audiences.size === 0) results.push(pass(`CSIDriver ${CSI_DRIVER}: the enabled stores need no pod tokens`));
  else if (missing.length === 0) results.push(pass(`CSIDriver ${CSI_DRIVER}: tokenRequests include ${[...audiences.keys()].map((audience) => `"${audience}"`).join(', ')}`));
  else {
    const all = [...new Set([...requested, ...audiences.keys()])];
    results.push(fail(
      `CSIDriver ${CSI_DRIVER}: tokenRequests lack ${missing.map(([audience, store]) => `"${audience}" (${store})`).join(', ')}; pods get no token for it and their Mounts fail UNAUTHENTICATED`,
      `install the driver with ${all.map((audience, index) => `--set tokenRequests[${index}].audience=${audience}`).join(' ')} (the list replaces the old one)`,
    ));
  }
  const republish = spec.requiresRepublish === true;
  if (republish === rotation) results.push(pass(`CSIDriver ${CSI_DRIVER}: requiresRepublish is ${republish}, ${rotation ? 'so kubelet republishes and pods get new versions' : 'as --rotation=false expects'}`));
  else if (rotation) results.push(fail(`CSIDriver ${CSI_DRIVER}: requiresRepublish is false, so pods keep the files of their first Mount`, 'install the driver with --set enableSecretRotation=true (it sets requiresRepublish), or run doctor with --rotation=false if that is intended'));
  else results.push(fail(`CSIDriver ${CSI_DRIVER}: requiresRepublish is true, but --rotation=false says pods should keep their first files`, 'install the driver with --set enableSecretRotation=false, or drop --rotation=false'));
  return results;
}

/** The driver's DaemonSet, found by its container image (`.../csi-secrets-store/driver:vX.Y.Z`). */
export async function readDaemonSets(kube: KubeClient): Promise<DaemonSet[] | CheckResult> {
  try {
    return (await kube.request<{ readonly items: DaemonSet[] }>({ method: 'GET', path: '/apis/apps/v1/daemonsets' })).items;
  } catch (error) {
    return unreadable('the driver\'s DaemonSet', error, 'list daemonsets.apps');
  }
}

/** The driver is new enough, and reads the providers directory Courier's DaemonSet serves its socket in. */
export function checkDriver(daemonSets: readonly DaemonSet[], providerName: string): CheckResult[] {
  const driver = daemonSets.find((set) => containers(set).some((container) => /\/driver(:|@|$)/.test(container.image ?? '') && /secrets-store/.test(container.image ?? '')));
  if (!driver) return [fail('no DaemonSet runs the Secrets Store CSI driver\'s image (…/csi-secrets-store/driver)', 'install the Secrets Store CSI driver; Courier is only its provider')];
  const name = `${driver.metadata?.namespace ?? ''}/${driver.metadata?.name ?? ''}`;
  const image = containers(driver).find((container) => /\/driver(:|@|$)/.test(container.image ?? ''))?.image ?? '';
  const version = /:v?(\d+)\.(\d+)\.(\d+)/.exec(image)?.slice(1, 4).map(Number);
  const minimum = MIN_DRIVER.join('.');
  const results: CheckResult[] = [];
  if (!version) results.push(skip(`driver ${name}: image ${image} names no version`, `check that the driver is v${minimum} or newer`));
  else if (compare(version, MIN_DRIVER) >= 0) results.push(pass(`driver ${name}: v${version.join('.')} (v${minimum} or newer)`));
  else results.push(fail(`driver ${name}: v${version.join('.')} is older than v${minimum}, which Courier is tested with`, `upgrade the Secrets Store CSI driver to v${minimum} or newer`));
  const courier = daemonSets.find((set) => containers(set).some((container) => (container.args ?? []).includes(`--provider-name=${providerName}`) || (container.args ?? []).includes(providerName)));
  const driverDirs = providerHostPaths(driver);
  if (!courier) {
    results.push(skip(`providers directory: no DaemonSet runs courier with --provider-name=${providerName}`, `the driver reads ${driverDirs.join(' and ') || 'no hostPath providers directory'}; Courier's DaemonSet must mount the same host directory`));
    return results;
  }
  const courierDirs = providerHostPaths(courier);
  const shared = courierDirs.filter((dir) => driverDirs.includes(dir));
  if (shared.length > 0) results.push(pass(`providers directory: the driver and ${courier.metadata?.namespace ?? ''}/${courier.metadata?.name ?? ''} share ${shared.join(', ')} on the node`));
  else results.push(fail(`providers directory: the driver reads ${driverDirs.join(', ') || 'nothing'}, courier serves in ${courierDirs.join(', ') || 'nothing'} on the node`, `set the chart's providersDir to ${driverDirs[0] ?? 'the driver\'s --provider-volume'}`));
  return results;
}

/** The node's clock against the API server's (the Date header of /version). */
export async function checkClock(kube: KubeClient, now: () => number = Date.now): Promise<CheckResult> {
  try {
    const before = now();
    const info = await kube.reply<{ readonly gitVersion?: string }>({ method: 'GET', path: '/version' });
    const local = (before + now()) / 2;
    const date = Date.parse(info.headers.date ?? '');
    if (Number.isNaN(date)) return skip('clock: the API server sent no Date header', 'compare the node\'s clock with NTP');
    // The header has one-second resolution: up to a second of the difference is rounding.
    const skew = Math.max(0, Math.abs(local - date) - 1000);
    if (skew <= MAX_CLOCK_SKEW_MS) return pass(`clock: within ${Math.ceil(skew / 1000)} s of the API server (Kubernetes ${info.body.gitVersion ?? 'version unknown'})`);
    // To the nearest 10 s: the header's resolution makes the last second meaningless.
    const about = Math.round(Math.abs(local - date) / 10_000) * 10;
    return fail(`clock: about ${about} s ${local > date ? 'ahead of' : 'behind'} the API server; pod tokens look ${local > date ? 'expired early' : 'not yet valid'} and cloud token exchanges fail`, 'sync the node\'s clock (chrony or systemd-timesyncd against your NTP servers)');
  } catch (error) {
    return unreadable('clock: /version', error, 'get /version');
  }
}

function containers(set: DaemonSet) {
  return set.spec?.template.spec?.containers ?? [];
}

/** Host paths of the DaemonSet's volumes that look like a providers directory. */
function providerHostPaths(set: DaemonSet): string[] {
  return (set.spec?.template.spec?.volumes ?? []).flatMap((volume) => (volume.hostPath?.path.includes('secrets-store-csi-providers') ? [volume.hostPath.path.replace(/\/+$/, '')] : []));
}

function compare(left: readonly number[], right: readonly number[]): number {
  for (let index = 0; index < 3; index++) if ((left[index] ?? 0) !== (right[index] ?? 0)) return (left[index] ?? 0) - (right[index] ?? 0);
  return 0;
}

function unreadable(what: string, error: unknown, permission: string): CheckResult {
  const code = statusOf(error);
  if (code === 403) return skip(`${what}: this identity may not read it`, `run courier doctor with a --kubeconfig that may ${permission} (Courier's own RBAC does not grant it)`);
  return fail(`${what}: the Kubernetes API did not answer (${code === undefined ? (error instanceof Error ? error.message : 'error') : `HTTP ${code}`})`, 'check --kubeconfig, or run doctor in the Courier pod');
}
