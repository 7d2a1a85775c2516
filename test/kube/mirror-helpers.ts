/** Helpers for mirror tests: a SecretMirror on the fake Kubernetes API with captured logs and metrics. */
import type { ExecutionContext } from 'ava';
import { createKubeClient } from '../../src/kube/kube-client.ts';
import { createSecretMirror, type SecretMirror, type SecretMirrorDependencies } from '../../src/kube/secret-mirror.ts';
import { captureLogs } from '../helpers/log-capture.ts';
import { createMetrics, type Metrics } from '../../src/observability/metrics.ts';
import type { PodInfo } from '../../src/spc/types.ts';
import { useFakeKubeApi, type FakeKubeApi } from '../fakes/kube-api.ts';

/** A mirror writer wired to a fresh fake API. */
export interface MirrorRig {
  readonly api: FakeKubeApi;
  readonly mirror: SecretMirror;
  readonly metrics: Metrics;
  /** Every log line, as written (JSON text). */
  readonly logLines: string[];
  /** courier_mirror_writes_total by outcome. */
  writes(): Promise<Record<string, number>>;
}

/** Pods the tests mount for. */
export const POD_A: PodInfo = { name: 'app-0', namespace: 'team-a', uid: '6f1e2c1a-0000-4000-8000-00000000000a', serviceAccount: 'app' };
export const POD_B: PodInfo = { name: 'app-1', namespace: 'team-a', uid: '6f1e2c1a-0000-4000-8000-00000000000b', serviceAccount: 'app' };

/** Starts the fake API and a mirror writer on it; everything stops in t.teardown. */
export async function useMirrorRig(t: ExecutionContext, tuning: Pick<SecretMirrorDependencies, 'recheckAfterMs' | 'now'> = {}): Promise<MirrorRig> {
  const api = await useFakeKubeApi(t);
  const { logger, lines: logLines } = captureLogs('info');
  const metrics = createMetrics();
  const mirror = createSecretMirror(createKubeClient({ kubeconfig: api.kubeconfig, callTimeoutMs: 5_000 }), { logger, metrics, ...tuning });
  return {
    api,
    mirror,
    metrics,
    logLines,
    async writes() {
      const counts: Record<string, number> = {};
      for (const value of (await metrics.mirrorWrites.get()).values) counts[String(value.labels['outcome'])] = value.value;
      return counts;
    },
  };
}

/** Base64 of a UTF-8 text, as the API stores Secret data. */
export function b64(text: string): string {
  return Buffer.from(text).toString('base64');
}
