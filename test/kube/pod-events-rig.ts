/** A real Courier whose pod events go through the real Kubernetes client to the fake API, with a clock tests move. */
import type { ExecutionContext } from 'ava';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createEventWriter } from '../../src/kube/event-writer.ts';
import { createKubeClient } from '../../src/kube/kube-client.ts';
import { createPodEvents, type MountEvents, type PodEventsDependencies } from '../../src/kube/pod-events.ts';
import { createMetrics, type Metrics } from '../../src/observability/metrics.ts';
import { captureLogs } from '../helpers/log-capture.ts';
import type { FakeEvent } from '../fakes/kube-api-events.ts';
import { useFakeKubeApi, type FakeKubeApi } from '../fakes/kube-api.ts';
import { driverAttributes, objectsYaml, startTestCourier, type CourierFixture } from '../server/courier-fixture.ts';

/** The rig: Courier, the fake API and the recorder's clock, metrics and logs. */
export interface EventRig {
  readonly api: FakeKubeApi;
  readonly courier: CourierFixture;
  readonly events: MountEvents;
  readonly metrics: Metrics;
  readonly logLines: string[];
  /** Moves the recorder's clock. */
  advance(ms: number): void;
  /** One Mount of the class reading `file:app/<file>` for pod `app-0`; resolves to 'ok' or the error details, once its events are written. */
  mount(file?: string, options?: { targetPath?: string; uid?: string }): Promise<string>;
  /** Rewrites a file of the local store (a new version). */
  rotate(file: string, text: string): Promise<void>;
  /** Events on the pods of namespace team-a. */
  stored(): FakeEvent[];
  /** courier_pod_events_total as `reason/outcome` → count. */
  counts(): Promise<Record<string, number>>;
}

export const POD_UID = '6f1e2c1a-0000-4000-8000-000000000001';

/** Starts the fake API and a Courier with a recorder on it; a local store with `app/db.txt` and `app/api-key`. */
export async function useEventRig(t: ExecutionContext, tuning: Pick<PodEventsDependencies, 'timing' | 'holdsFiles'> = {}): Promise<EventRig> {
  const api = await useFakeKubeApi(t);
  let clock = Date.parse('2026-12-01T10:00:00Z');
  const metrics = createMetrics();
  const { logger, lines: logLines } = captureLogs('info');
  const writer = createEventWriter(createKubeClient({ kubeconfig: api.kubeconfig, callTimeoutMs: 5_000 }), 'courier-x7k2p');
  const events = createPodEvents({ writer, logger, metrics, now: () => clock, holdsFiles: () => Promise.resolve(false), ...tuning });
  const courier = await startTestCourier(t, { localFiles: { 'app/db.txt': 'db-password-1', 'app/api-key': 'k-1' }, events, options: { cacheTtlMs: 0 } });
  return {
    api,
    courier,
    events,
    metrics,
    logLines,
    advance(ms) {
      clock += ms;
    },
    async mount(file = 'db.txt', options = {}) {
      const attributes = { ...driverAttributes({ objects: objectsYaml([`{source: "file:app/${file}", path: ${file}}`]) }), 'csi.storage.k8s.io/pod.uid': options.uid ?? POD_UID };
      const outcome = await courier.client.mount({ attributes, targetPath: options.targetPath ?? '/var/lib/kubelet/pods/uid/volumes/kubernetes.io~csi/secrets/mount' }).then(
        () => 'ok',
        (error: { details?: string }) => error.details ?? 'error',
      );
      await events.settled();
      return outcome;
    },
    rotate: (file, text) => writeFile(join(courier.storeDir, 'app', file), text),
    stored: () => api.events('team-a'),
    async counts() {
      const counts: Record<string, number> = {};
      for (const value of (await metrics.podEvents.get()).values) counts[`${String(value.labels['reason'])}/${String(value.labels['outcome'])}`] = value.value;
      return counts;
    },
  };
}
