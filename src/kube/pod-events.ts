/** Turns Mount outcomes into Events on the pod: SecretMountFailed, SecretRotationFailed and SecretRotated, de-duplicated. */
import { readdir } from 'node:fs/promises';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { ObjectVersion } from '../output/assemble.ts';
import type { PodInfo } from '../spc/types.ts';
import { createEventSeries, type EventSeries, type SeriesDecision, type SeriesTiming } from './event-series.ts';
import type { EventWriter, NewPodEvent } from './event-writer.ts';

/** Reasons of Courier's pod events (`kubectl get events --field-selector reason=SecretRotationFailed`). */
export const POD_EVENT_REASONS = Object.freeze({ mountFailed: 'SecretMountFailed', rotationFailed: 'SecretRotationFailed', rotated: 'SecretRotated' });

/** What one Mount did, as the provider service reports it. Only the error message; never attributes or contents. */
export type MountOutcome = { readonly pod: PodInfo; readonly secretProviderClass: string; readonly targetPath: string } & (
  | { readonly ok: true; readonly versions: readonly ObjectVersion[] }
  | { readonly ok: false; readonly message: string }
);

/** Records Mount outcomes as pod events. */
export interface MountEvents {
  /** Returns at once: API writes run in the background and never delay or fail the Mount. */
  record(outcome: MountOutcome): void;
  /** Resolves when every write started so far has settled (tests; shutdown). */
  settled(): Promise<void>;
}

/** What the recorder is built with. */
export interface PodEventsDependencies {
  readonly writer: EventWriter;
  readonly logger: Logger;
  readonly metrics: Pick<Metrics, 'podEvents'>;
  readonly timing?: SeriesTiming;
  /** Epoch milliseconds (tests). */
  readonly now?: () => number;
  /** Whether a target path already holds files; by default its directory is read (visible with --write-files). */
  readonly holdsFiles?: (targetPath: string) => Promise<boolean>;
  /** Volumes whose last versions are remembered (default 10,000; the oldest are forgotten first). */
  readonly maxVolumes?: number;
}

/**
 * A Mount is a republish when this Courier already served the same volume (pod UID and target path)
 * successfully, or when the target path already holds files. The first covers every mode but starts
 * empty when Courier restarts; the second covers restarts where Courier can see the kubelet's pod
 * directories (--write-files mounts them). A republish that fails is SecretRotationFailed: the pod keeps
 * running on its old files, which is what the driver does not show. A republish whose versions differ
 * from the last ones served is SecretRotated.
 */
export function createPodEvents(deps: PodEventsDependencies): MountEvents {
  const series = createEventSeries(deps.timing);
  const now = deps.now ?? Date.now;
  const holdsFiles = deps.holdsFiles ?? directoryHoldsFiles;
  const volumes = createVolumeMemory(deps.maxVolumes ?? 10_000);
  const pending = new Set<Promise<void>>();
  let sequence = 0;
  const track = (work: Promise<void>) => {
    pending.add(work);
    void work.finally(() => pending.delete(work));
  };
  const occur = async (outcome: MountOutcome, reason: string, action: string, note: string, type: NewPodEvent['type']) => {
    const { pod } = outcome;
    const at = now();
    const key = `${pod.namespace}/${pod.uid}/${reason}`;
    // client-go's naming: the object's name and a unique hexadecimal suffix.
    const decision = series.decide(key, note, at, () => `${pod.name}.${(at * 1000 + (sequence++ % 1000)).toString(16)}`);
    await writeDecision(decision, { name: '', pod, type, reason, action, note, secretProviderClass: outcome.secretProviderClass, at: new Date(at) }, key, series, deps);
  };
  const handle = async (outcome: MountOutcome) => {
    const volume = `${outcome.pod.uid}\0${outcome.targetPath}`;
    if (outcome.ok) {
      const changed = volumes.remember(volume, outcome.versions);
      if (changed.length > 0) await occur(outcome, POD_EVENT_REASONS.rotated, 'Republish', `SecretProviderClass ${outcome.secretProviderClass}: new versions of ${listed(changed)}`, 'Normal');
      return;
    }
    const republish = volumes.has(volume) || (outcome.targetPath !== '' && (await holdsFiles(outcome.targetPath)));
    const reason = republish ? POD_EVENT_REASONS.rotationFailed : POD_EVENT_REASONS.mountFailed;
    const note = republish
      ? `SecretProviderClass ${outcome.secretProviderClass}: the pod keeps its previous files; rotation failed: ${outcome.message}`
      : `SecretProviderClass ${outcome.secretProviderClass}: ${outcome.message}`;
    await occur(outcome, reason, republish ? 'Republish' : 'Mount', note, 'Warning');
  };
  return {
    record(outcome) {
      // A pod without a UID is a `courier mount` run: there is no pod to put an Event on.
      if (outcome.pod.uid === '' || outcome.pod.name === '') return;
      track(handle(outcome).catch((error: unknown) => deps.logger.error({ errorName: error instanceof Error ? error.name : typeof error }, 'pod event recorder failed')));
    },
    async settled() {
      while (pending.size > 0) await Promise.all(pending);
    },
  };
}

/** Carries out one decision: create or update the Event, or only count the occurrence. Never throws. */
async function writeDecision(decision: SeriesDecision, event: NewPodEvent, key: string, series: EventSeries, deps: PodEventsDependencies): Promise<void> {
  const count = (outcome: string) => deps.metrics.podEvents.inc({ reason: event.reason, outcome });
  if (decision.action === 'deduplicated' || decision.action === 'rate_limited') return count(decision.action);
  try {
    if (decision.action === 'create') {
      await deps.writer.create({ ...event, name: decision.name });
      return count('created');
    }
    if (await deps.writer.updateSeries(event.pod.namespace, decision.name, decision.count, event.at)) return count('updated');
    // The Event expired or was deleted: write it anew, counting from here.
    series.forget(key);
    const again = series.decide(key, event.note, event.at.getTime(), () => `${decision.name}.${decision.count.toString(16)}`);
    if (again.action === 'create') await deps.writer.create({ ...event, name: again.name });
    return count('created');
  } catch (error) {
    series.failed(key, decision);
    count('failed');
    // The pod and reason only: the note carries the Mount's message, which the log line of the Mount already has.
    deps.logger.warn({ namespace: event.pod.namespace, pod: event.pod.name, reason: event.reason, error: error instanceof Error ? error.message : 'unexpected error' }, 'pod event not written');
  }
}

/** The last versions served per volume. */
function createVolumeMemory(maxVolumes: number) {
  const volumes = new Map<string, ReadonlyMap<string, string>>();
  return {
    has: (volume: string) => volumes.has(volume),
    /** Remembers `versions`; returns the ids whose version changed since the last success (none the first time). */
    remember(volume: string, versions: readonly ObjectVersion[]): string[] {
      const before = volumes.get(volume);
      const after = new Map(versions.map((version) => [version.id, version.version]));
      volumes.delete(volume);
      volumes.set(volume, after);
      while (volumes.size > maxVolumes) volumes.delete(volumes.keys().next().value as string);
      if (before === undefined) return [];
      return [...after].filter(([id, version]) => before.get(id) !== version).map(([id]) => id);
    },
  };
}

/** At most five file names, then how many more. */
function listed(ids: readonly string[]): string {
  const shown = ids.slice(0, 5).join(', ');
  return ids.length > 5 ? `${shown} and ${ids.length - 5} more` : shown;
}

async function directoryHoldsFiles(path: string): Promise<boolean> {
  try {
    return (await readdir(path)).length > 0;
  } catch {
    // Not visible from Courier's container (the driver writes the files): the memory decides alone.
    return false;
  }
}
