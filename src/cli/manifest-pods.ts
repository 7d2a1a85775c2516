/** Finds, in a manifest file, the service account of the pods (or pod templates) that mount a SecretProviderClass. */
import { parseAllDocuments } from 'yaml';

type Json = Record<string, unknown>;

function record(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

/** A Pod's spec, or the pod template's of a Deployment, StatefulSet, DaemonSet, Job (and a CronJob's job template). */
function podSpecOf(object: Json): Json | undefined {
  const spec = record(object['spec']);
  if (object['kind'] === 'Pod') return spec;
  if (object['kind'] === 'CronJob') return record(record(record(record(spec['jobTemplate'])['spec'])['template'])['spec']);
  const template = record(spec['template']);
  return 'spec' in template ? record(template['spec']) : undefined;
}

/** The serviceAccountName of the first pod in `text` with a CSI volume of class `className`; "default" when it names none. */
export function serviceAccountMounting(text: string, className: string): string | undefined {
  for (const document of parseAllDocuments(text)) {
    if (document.errors.length > 0) continue;
    const spec = podSpecOf(record(document.toJS()));
    if (!spec) continue;
    const volumes = Array.isArray(spec['volumes']) ? (spec['volumes'] as unknown[]) : [];
    const mounts = volumes.some((volume) => record(record(record(volume)['csi'])['volumeAttributes'])['secretProviderClass'] === className);
    if (mounts) return typeof spec['serviceAccountName'] === 'string' ? spec['serviceAccountName'] : 'default';
  }
  return undefined;
}
