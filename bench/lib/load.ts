/** A load driver: keeps N Mounts in flight over Courier's socket with a real gRPC client, for a bounded count. */
import { credentials, type Client, type ServiceError } from '@grpc/grpc-js';
import { loadProviderProto } from '../../src/server/proto-client.ts';

/** A MountRequest as the driver sends it (strings as on the wire). */
export interface WireRequest {
  readonly attributes: string;
  readonly secrets: string;
  readonly targetPath: string;
  readonly permission: string;
}

/** What one load run measured. */
export interface LoadResult {
  readonly concurrency: number;
  /** Mounts that answered OK. */
  readonly completed: number;
  readonly failed: number;
  /** Latency of each successful Mount, in milliseconds. */
  readonly latenciesMs: number[];
  readonly elapsedMs: number;
  /** First failure's message, for the report. */
  readonly firstError?: string;
}

/** Load parameters; the run stops at `count` Mounts or after `maxMs`, whichever comes first. */
export interface LoadOptions {
  readonly socketPath: string;
  readonly request: WireRequest;
  readonly concurrency: number;
  readonly count: number;
  readonly maxMs?: number;
  /** Deadline of each call (default 10 s). */
  readonly deadlineMs?: number;
  /**
   * Mounts started per second, on a fixed schedule, still at most `concurrency` in flight (default:
   * back to back). Latency is then counted from each Mount's scheduled start, so a Mount that waited
   * for a free caller shows it.
   */
  readonly ratePerSecond?: number;
}

type Unary = (request: unknown, options: { deadline: number }, callback: (error: ServiceError | null) => void) => void;

/**
 * Runs `count` Mounts with `concurrency` of them in flight at any time, over one client connection
 * (the driver, too, keeps one connection per provider).
 */
export async function driveMounts(options: LoadOptions): Promise<LoadResult> {
  const { Client } = loadProviderProto();
  const client = new Client(`unix:${options.socketPath}`, credentials.createInsecure()) as unknown as Client & { Mount: Unary };
  const request = { ...options.request, currentObjectVersion: [] };
  const deadlineMs = options.deadlineMs ?? 10_000;
  const latenciesMs: number[] = [];
  let issued = 0;
  let failed = 0;
  let firstError: string | undefined;
  const started = performance.now();
  const stopAt = started + (options.maxMs ?? 60_000);
  const mountOnce = (begin: number) =>
    new Promise<void>((resolve) => {
      client.Mount(request, { deadline: Date.now() + deadlineMs }, (error) => {
        if (error) {
          failed += 1;
          firstError ??= `${error.code}: ${error.details}`;
        } else {
          latenciesMs.push(performance.now() - begin);
        }
        resolve();
      });
    });
  const worker = async () => {
    while (issued < options.count && performance.now() < stopAt) {
      const index = issued;
      issued += 1;
      if (options.ratePerSecond === undefined) {
        await mountOnce(performance.now());
        continue;
      }
      const at = started + (index * 1000) / options.ratePerSecond;
      const wait = at - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      await mountOnce(at);
    }
  };
  try {
    await Promise.all(Array.from({ length: options.concurrency }, worker));
  } finally {
    client.close();
  }
  return {
    concurrency: options.concurrency,
    completed: latenciesMs.length,
    failed,
    latenciesMs,
    elapsedMs: performance.now() - started,
    ...(firstError === undefined ? {} : { firstError }),
  };
}
