/** The gRPC handlers: decode, run the Mount pipeline, encode, map errors, log one line per call. */
import { UnavailableError } from '../errors/courier-error.ts';
import { codeName, toGrpcStatus } from '../errors/to-grpc-status.ts';
import type { MountEvents } from '../kube/pod-events.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { runMount, type MountDependencies } from '../pipeline/mount.ts';
import { decodeRequest } from '../spc/decode-request.ts';
import type { PodInfo } from '../spc/types.ts';
import { mountSignal } from './mount-signal.ts';
import { createFairScheduler } from '../pipeline/fair-scheduler.ts';
import { createPlanCache } from '../spc/plan-cache.ts';
import { RUNTIME_NAME, VERSION } from '../version.ts';
import { CallFailure, type UnaryCall, type UnaryMethod } from './grpc-unary.ts';
import { decodeMountRequest, decodeVersionRequest, encodeMountResponseChunks, encodeVersionResponse, type WireMountRequest, type WireMountResponse } from './proto.ts';

/** What the handlers are built with. */
export interface ServiceDependencies extends MountDependencies {
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Deadline for a Mount whose call carries none; below kubelet's two minutes. */
  readonly defaultTimeoutMs: number;
  /** Dialect of the socket these handlers serve. */
  readonly socketDialect: string;
  /** Fires when the server's grace period is over: Mounts still running fail with UNAVAILABLE. */
  readonly stopSignal?: AbortSignal;
  /** Records each Mount's outcome as pod events (`--pod-events`); absent, no events are written. */
  readonly events?: MountEvents;
}

/**
 * About how many bytes of response are encoded and written per millisecond of CPU, for what the tenant
 * is charged. Contents of 64 KiB or more now go out by reference, at several times this rate: the charge
 * overstates them, which errs toward the other tenants.
 */
const RESPONSE_BYTES_PER_MS = 500_000;

/** The service's path prefix: the contract's package and service name. */
export const SERVICE_PATH = '/v1alpha1.CSIDriverProvider';

/** Builds the `v1alpha1.CSIDriverProvider` implementation: its methods by path. */
export function createProviderService(dependencies: ServiceDependencies): ReadonlyMap<string, UnaryMethod> {
  // One plan cache per service: the same SecretProviderClass comes back every rotation.
  const deps: ServiceDependencies = { ...dependencies, plans: dependencies.plans ?? createPlanCache(), scheduler: dependencies.scheduler ?? createFairScheduler() };
  const version: UnaryMethod<unknown, ReturnType<typeof versionAnswer>> = { decode: decodeVersionRequest, encode: encodeVersionResponse, handle: versionAnswer };
  const mountMethod: UnaryMethod<WireMountRequest, WireMountResponse> = { decode: decodeMountRequest, encode: encodeMountResponseChunks, handle: (call) => mount(call, deps) };
  return new Map<string, UnaryMethod>([
    [`${SERVICE_PATH}/Version`, version],
    [`${SERVICE_PATH}/Mount`, mountMethod],
  ]);
}

function versionAnswer() {
  return { version: 'v1alpha1', runtimeName: RUNTIME_NAME, runtimeVersion: VERSION };
}

async function mount(call: UnaryCall<WireMountRequest>, deps: ServiceDependencies): Promise<WireMountResponse> {
  const started = performance.now();
  // Only these fields of a request are ever logged: no attributes, secrets, tokens or contents.
  const fields: Record<string, string | number> = {};
  const { signal, release } = mountSignal(call.deadline, deps.defaultTimeoutMs, deps.stopSignal);
  let subject: { pod: PodInfo; secretProviderClass: string; targetPath: string } | undefined;
  try {
    const request = decodeRequest(call.request, deps.budgets.maxParameterBytes);
    Object.assign(fields, { namespace: request.pod.namespace, pod: request.pod.name, secretProviderClass: request.secretProviderClass });
    subject = { pod: request.pod, secretProviderClass: request.secretProviderClass, targetPath: request.targetPath };
    const result = await runMount(request, deps, signal, deps.socketDialect);
    // Encoding and sending the files costs the thread time outside any slice; the tenant pays for it.
    deps.scheduler?.charge(request.pod.namespace, result.files.reduce((sum, file) => sum + file.contents.byteLength, 0) / RESPONSE_BYTES_PER_MS);
    finish(deps, started, 'ok', { ...fields, objects: result.objectCount, files: result.versions.length, skipped: result.skipped.length });
    deps.events?.record({ ...subject, ok: true, versions: result.versions });
    return { objectVersion: result.versions, error: null, files: result.files };
  } catch (thrown) {
    // The driver retries only UNAVAILABLE: a Mount cut off by shutdown is tried again on the successor.
    const error = deps.stopSignal?.aborted ? new UnavailableError('courier stopped before this Mount finished (its grace period is over); the driver retries it') : thrown;
    const failure = toGrpcStatus(error);
    const outcome = codeName(failure.code).toLowerCase();
    if (failure.unexpected) deps.logger.error({ ...fields, err: error }, 'unexpected error in Mount');
    finish(deps, started, outcome, { ...fields, error: failure.details });
    // A request that could not be decoded names no pod; one cut off by shutdown is retried on the successor.
    if (subject && deps.stopSignal?.aborted !== true) deps.events?.record({ ...subject, ok: false, message: failure.details });
    throw new CallFailure(failure.code, failure.details);
  } finally {
    release();
  }
}

function finish(deps: ServiceDependencies, started: number, outcome: string, fields: Record<string, string | number>): void {
  const seconds = (performance.now() - started) / 1000;
  deps.metrics.mounts.inc({ outcome });
  deps.metrics.mountSeconds.observe({ outcome }, seconds);
  const level = outcome === 'ok' ? 'info' : 'warn';
  deps.logger[level]({ ...fields, outcome, durationMs: Math.round(seconds * 10000) / 10 }, 'mount');
}
