/** A real gRPC client for Courier's socket, built from proto/ like the driver's. */
import { credentials, type Client, type ServiceError } from '@grpc/grpc-js';
import { loadProviderProto } from '../../src/server/proto-client.ts';
import { type WireMountResponse, type WireVersionResponse } from '../../src/server/proto.ts';

/** What tests send: the driver's MountRequest fields. */
export interface MountCall {
  readonly attributes: Record<string, string>;
  readonly secrets?: string;
  readonly targetPath?: string;
  readonly permission?: string;
}

/** A connected client; close it in t.teardown. */
export interface ProviderClient {
  mount(call: MountCall, deadlineMs?: number): Promise<WireMountResponse>;
  version(): Promise<WireVersionResponse>;
  close(): void;
}

type Unary = (request: unknown, options: { deadline: number }, callback: (error: ServiceError | null, value: unknown) => void) => void;

/** Connects to `unix:<socketPath>`. A failed call rejects with the gRPC ServiceError (code, details). */
export function connectProvider(socketPath: string): ProviderClient {
  const { Client } = loadProviderProto();
  const client = new Client(`unix:${socketPath}`, credentials.createInsecure()) as unknown as Client & Record<'Mount' | 'Version', Unary>;
  const call = <T>(method: 'Mount' | 'Version', request: unknown, deadlineMs: number) =>
    new Promise<T>((resolve, reject) => {
      client[method](request, { deadline: Date.now() + deadlineMs }, (error, value) => (error ? reject(error) : resolve(value as T)));
    });
  return {
    mount: (request, deadlineMs = 30_000) =>
      call<WireMountResponse>('Mount', {
        attributes: JSON.stringify(request.attributes),
        secrets: request.secrets ?? 'null',
        targetPath: request.targetPath ?? '/tmp/unused-target',
        permission: request.permission ?? '420',
        currentObjectVersion: [],
      }, deadlineMs),
    version: () => call<WireVersionResponse>('Version', { version: 'v1alpha1' }, 5_000),
    close: () => client.close(),
  };
}
