/** Writes mirror Secrets into the pod's namespace: create or update with conflict retry, only when something differs. */
import { status } from '../errors/status-codes.ts';
import { ConfigError, CourierError, PermissionError } from '../errors/courier-error.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../spc/mirror-types.ts';
import type { PodInfo } from '../spc/types.ts';
import type { KubeClient } from './kube-client.ts';
import { kubePath } from './kube-http.ts';
import type { ObjectMeta, OwnerReference } from './kube-objects.ts';
import type { MirrorSecret } from './mirror-content.ts';
import { createMirrorMemo } from './mirror-memo.ts';
import { reasonOf, statusMessageOf, statusOf, toKubeError, type KubeCall } from './kube-errors.ts';

/** Keeps mirror Secrets in step with Mounts. */
export interface SecretMirror {
  /**
   * Creates or updates each Secret in `pod.namespace` (never another namespace) with the pod as an
   * added owner. Throws for what the SecretProviderClass or RBAC must fix (a Secret courier does not
   * manage, a type change, a refused or invalid write); an unreachable API is logged and counted,
   * not thrown: the files are the Mount's product and the next Mount retries the mirror.
   */
  apply(secrets: readonly MirrorSecret[], pod: PodInfo, signal: AbortSignal): Promise<void>;
}

/** Outcomes of courier_mirror_writes_total. */
export type MirrorOutcome = 'created' | 'updated' | 'unchanged' | 'refused' | 'forbidden' | 'invalid' | 'conflict' | 'unavailable';

/** What the mirror is built with. */
export interface SecretMirrorDependencies {
  readonly logger: Logger;
  readonly metrics: Pick<Metrics, 'mirrorWrites'>;
  /** Attempts per Secret when another writer gets in between (409); default 5. */
  readonly maxAttempts?: number;
  /** How long an unchanged mirror is trusted without reading it again (mirror-memo.ts); default 5 minutes. */
  readonly recheckAfterMs?: number;
  /** Clock in epoch milliseconds (tests). */
  readonly now?: () => number;
}

/** Creates the mirror writer. The Kubernetes client is only touched when a Mount asks for a mirror. */
export function createSecretMirror(kube: KubeClient, deps: SecretMirrorDependencies): SecretMirror {
  const maxAttempts = deps.maxAttempts ?? 5;
  const memo = createMirrorMemo(deps.recheckAfterMs, deps.now);
  return {
    async apply(secrets, pod, signal) {
      // The Secrets of one Mount are written at once, all within the Mount's deadline: a slow API costs
      // one call's time, not one per Secret. The first refusal is reported after all have settled.
      const written = await Promise.allSettled(
        secrets.map(async (secret) => {
          if (memo.isCurrent(pod.namespace, secret, pod.uid)) {
            deps.metrics.mirrorWrites.inc({ outcome: 'unchanged' });
            return;
          }
          memo.forget(pod.namespace, secret.name);
          const outcome = await writeOne(kube, secret, pod, signal, maxAttempts).then(
            (result) => {
              memo.remember(pod.namespace, secret, result.owners);
              return result.outcome;
            },
            (error: unknown) => failure(error, secret, pod, deps),
          );
          deps.metrics.mirrorWrites.inc({ outcome });
          if (outcome === 'created' || outcome === 'updated') deps.logger.info({ namespace: pod.namespace, pod: pod.name, secretName: secret.name, outcome }, 'mirror Secret written');
        }),
      );
      const refused = written.find((result): result is PromiseRejectedResult => result.status === 'rejected');
      if (refused) throw refused.reason;
    },
  };
}

/** Counts and logs a failed write; rethrows what the Mount must fail for. */
function failure(error: unknown, secret: MirrorSecret, pod: PodInfo, deps: SecretMirrorDependencies): MirrorOutcome {
  // Never the data, and not the API's raw text.
  const fields = { namespace: pod.namespace, pod: pod.name, secretName: secret.name, field: secret.field };
  if (error instanceof PermissionError || error instanceof ConfigError) {
    deps.metrics.mirrorWrites.inc({ outcome: error instanceof PermissionError ? 'forbidden' : mirrorRefusal(error) });
    throw error;
  }
  const message = error instanceof CourierError ? error.message : 'unexpected error';
  if (!(error instanceof CourierError)) deps.logger.error({ ...fields, errorName: error instanceof Error ? error.name : typeof error }, 'mirror write failed unexpectedly; the mount succeeds and the next mount retries');
  else deps.logger.warn({ ...fields, error: message }, 'mirror write failed; the mount succeeds and the next mount retries');
  return error instanceof ConflictsExhausted ? 'conflict' : 'unavailable';
}

function mirrorRefusal(error: ConfigError): MirrorOutcome {
  return error instanceof InvalidSecret ? 'invalid' : 'refused';
}

/** The API kept answering 409 while another writer changed the Secret. */
class ConflictsExhausted extends CourierError {}

/** The API answered 422 Invalid: the Secret as written breaks a rule courier did not check. */
class InvalidSecret extends ConfigError {}

/** A v1 Secret as the mirror reads and writes it (`data` values are base64). */
interface Secret {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: ObjectMeta;
  readonly type?: string;
  readonly data?: Readonly<Record<string, string>>;
}

/** What a successful write left in the API: the outcome and the owners' UIDs. */
interface Written {
  readonly outcome: MirrorOutcome;
  readonly owners: readonly string[];
}

async function writeOne(kube: KubeClient, secret: MirrorSecret, pod: PodInfo, signal: AbortSignal, maxAttempts: number): Promise<Written> {
  const namespace = pod.namespace;
  const call = (verb: string): KubeCall => ({ verb, resource: 'secrets', namespace, name: secret.name });
  const path = kubePath`/api/v1/namespaces/${namespace}/secrets/${secret.name}`;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const existing = await kube.request<Secret>({ method: 'GET', path }, signal).catch((error: unknown) => {
      if (statusOf(error) === 404) return undefined;
      throw toKubeError(error, call('get'));
    });
    try {
      if (existing) checkOwnership(existing, secret, namespace);
      const desired = desiredSecret(secret, pod, existing);
      const owners = (desired.metadata?.ownerReferences ?? []).map((owner) => owner.uid);
      if (!existing) {
        await kube.request({ method: 'POST', path: kubePath`/api/v1/namespaces/${namespace}/secrets`, body: desired }, signal);
        return { outcome: 'created', owners };
      }
      if (sameSecret(existing, desired)) return { outcome: 'unchanged', owners };
      await kube.request({ method: 'PUT', path, body: desired }, signal);
      return { outcome: 'updated', owners };
    } catch (error) {
      // AlreadyExists or Conflict, or deleted since we read it: read again and redo.
      if (statusOf(error) === 409 || (existing && statusOf(error) === 404)) continue;
      throw writeError(error, secret, call(existing ? 'update' : 'create'));
    }
  }
  throw new ConflictsExhausted(status.UNAVAILABLE, `Secret ${namespace}/${secret.name} kept changing under courier's writes (${maxAttempts} conflicts)`);
}

function writeError(error: unknown, secret: MirrorSecret, call: KubeCall): CourierError {
  if (error instanceof CourierError) return error;
  if (statusOf(error) === 422) {
    return new InvalidSecret(`the Kubernetes API refused Secret ${call.namespace}/${call.name} as invalid (${reasonOf(error) ?? 'Invalid'}): ${statusMessageOf(error) ?? 'no details'}`, { field: secret.field, cause: error });
  }
  return toKubeError(error, call);
}

function checkOwnership(existing: Secret, secret: MirrorSecret, namespace: string): void {
  if (existing.metadata?.labels?.[MANAGED_BY_LABEL] !== MANAGED_BY_VALUE) {
    throw new ConfigError(
      `Secret ${namespace}/${secret.name} exists and is not managed by courier (it lacks the label ${MANAGED_BY_LABEL}: ${MANAGED_BY_VALUE}); courier never modifies a Secret it does not manage: choose another secretName or delete that Secret`,
      { field: `${secret.field}.secretName` },
    );
  }
  const type = existing.type ?? 'Opaque';
  if (type !== secret.type) {
    throw new ConfigError(`Secret ${namespace}/${secret.name} exists with type ${type}, and a Secret's type cannot change; delete that Secret and courier re-creates it as ${secret.type}`, {
      field: `${secret.field}.type`,
    });
  }
}

/**
 * The Secret as it should be: data exactly as mounted; labels and annotations of the spec laid over
 * what is there (other tools may add their own); the pod added to the owners, never replacing
 * another pod's reference, so Kubernetes deletes the Secret when its last pod is gone. A pod
 * without a UID (a `courier mount` run) adds no owner: a reference to a pod that does not exist
 * would have the garbage collector delete the Secret at once.
 */
function desiredSecret(secret: MirrorSecret, pod: PodInfo, existing: Secret | undefined): Secret {
  const owners = existing?.metadata?.ownerReferences ?? [];
  const owner: OwnerReference = { apiVersion: 'v1', kind: 'Pod', name: pod.name, uid: pod.uid };
  const ownerReferences = pod.uid === '' || owners.some((reference) => reference.uid === pod.uid) ? owners : [...owners, owner];
  return {
    ...existing,
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      ...existing?.metadata,
      name: secret.name,
      namespace: pod.namespace,
      labels: { ...existing?.metadata?.labels, ...secret.labels, [MANAGED_BY_LABEL]: MANAGED_BY_VALUE },
      annotations: { ...existing?.metadata?.annotations, ...secret.annotations },
      ...(ownerReferences.length > 0 ? { ownerReferences } : {}),
    },
    type: secret.type,
    data: Object.fromEntries(Object.entries(secret.data).map(([key, value]) => [key, value.toString('base64')])),
  };
}

function sameSecret(existing: Secret, desired: Secret): boolean {
  return (
    sameMap(existing.data ?? {}, desired.data ?? {}) &&
    sameMap(existing.metadata?.labels ?? {}, desired.metadata?.labels ?? {}) &&
    sameMap(existing.metadata?.annotations ?? {}, desired.metadata?.annotations ?? {}) &&
    (existing.metadata?.ownerReferences ?? []).length === (desired.metadata?.ownerReferences ?? []).length
  );
}

function sameMap(left: Readonly<Record<string, string>>, right: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(left);
  return keys.length === Object.keys(right).length && keys.every((key) => right[key] === left[key]);
}
