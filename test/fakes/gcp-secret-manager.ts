/** A fake Google Secret Manager: a real gRPC server on loopback serving AccessSecretVersion from memory. */
import { createRequire } from 'node:module';
import { crc32c } from '@aws-crypto/crc32c';
import { loadPackageDefinition, Metadata, Server, ServerCredentials, status, type GrpcObject, type ServiceClientConstructor, type ServiceError, type ServerUnaryCall, type sendUnaryData } from '@grpc/grpc-js';
import { fromJSON } from '@grpc/proto-loader';
import type { ExecutionContext } from 'ava';

const require = createRequire(import.meta.url);

/** A stored version. */
interface FakeVersion {
  readonly data: Uint8Array;
  state: 'ENABLED' | 'DISABLED' | 'DESTROYED';
}

/** One recorded AccessSecretVersion call. */
export interface FakeAccessCall {
  readonly name: string;
  readonly authorization: string | undefined;
}

/** An error the next calls answer with. */
interface InjectedError {
  readonly code: status;
  readonly message: string;
  remaining: number;
  readonly match?: string;
}

/** Options of the fake. */
export interface FakeSecretManagerOptions {
  /** Maps a bearer token to the principal it stands for; undefined rejects it (UNAUTHENTICATED). Default: the token itself. */
  readonly principalOf?: (token: string) => string | undefined;
}

/**
 * Secrets by name (`projects/P/secrets/S` or `projects/P/locations/L/secrets/S`), versions
 * numbered from 1, `latest` resolving to the newest enabled one. Access is granted per principal;
 * every call must carry `authorization: Bearer <token>`. The service definition is the one shipped
 * inside @google-cloud/secret-manager, so the real client's encoding is what is served.
 */
export class FakeSecretManager {
  readonly calls: FakeAccessCall[] = [];
  /** Delay before every answer. */
  latencyMs = 0;
  /** Leave out `data_crc32c` from answers. */
  omitCrc = false;
  /** Send a wrong `data_crc32c`. */
  corruptCrc = false;
  /** Most calls being answered at once so far. */
  maxInFlight = 0;
  #inFlight = 0;
  readonly #secrets = new Map<string, FakeVersion[]>();
  readonly #grants = new Map<string, Set<string>>();
  readonly #errors: InjectedError[] = [];
  readonly #principalOf: (token: string) => string | undefined;
  #server: Server | undefined;
  endpoint = '';

  constructor(options: FakeSecretManagerOptions = {}) {
    this.#principalOf = options.principalOf ?? ((token) => token);
  }

  /** Adds a version to `secret` (created if new) and returns its number. */
  addVersion(secret: string, data: string | Uint8Array): number {
    const versions = this.#secrets.get(secret) ?? [];
    versions.push({ data: typeof data === 'string' ? Buffer.from(data) : data, state: 'ENABLED' });
    this.#secrets.set(secret, versions);
    return versions.length;
  }

  setState(secret: string, version: number, state: FakeVersion['state']): void {
    const entry = this.#secrets.get(secret)?.[version - 1];
    if (!entry) throw new Error(`no version ${version} of ${secret}`);
    entry.state = state;
  }

  /** Lets `principal` read `secret` (or every secret with '*'). */
  grant(principal: string, secret: string): void {
    const set = this.#grants.get(principal) ?? new Set<string>();
    set.add(secret);
    this.#grants.set(principal, set);
  }

  /** The next `count` calls (for names containing `match`, if given) fail with `code`. */
  failNext(code: status, message: string, count = 1, match?: string): void {
    this.#errors.push({ code, message, remaining: count, ...(match === undefined ? {} : { match }) });
  }

  async start(): Promise<string> {
    const server = new Server();
    server.addService(secretManagerService(), { AccessSecretVersion: (call: ServerUnaryCall<{ name: string }, unknown>, callback: sendUnaryData<unknown>) => this.#access(call, callback) });
    const port = await new Promise<number>((resolve, reject) => {
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound)));
    });
    this.#server = server;
    this.endpoint = `127.0.0.1:${port}`;
    return this.endpoint;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
  }

  #access(call: ServerUnaryCall<{ name: string }, unknown>, callback: sendUnaryData<unknown>): void {
    const name = call.request.name;
    const authorization = call.metadata.get('authorization')[0]?.toString();
    this.calls.push({ name, authorization });
    this.#inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.#inFlight);
    const answer = () => {
      this.#inFlight -= 1;
      try {
        callback(null, this.#answer(name, authorization));
      } catch (error) {
        callback(error as ServiceError);
      }
    };
    if (this.latencyMs > 0) setTimeout(answer, this.latencyMs);
    else answer();
  }

  #answer(name: string, authorization: string | undefined): object {
    const injected = this.#errors.find((error) => error.remaining > 0 && (error.match === undefined || name.includes(error.match)));
    if (injected) {
      injected.remaining -= 1;
      throw grpcError(injected.code, injected.message);
    }
    const token = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
    const principal = token === undefined ? undefined : this.#principalOf(token);
    if (principal === undefined) throw grpcError(status.UNAUTHENTICATED, 'Request had invalid authentication credentials. Expected OAuth 2 access token.');
    const match = /^(projects\/[^/]+\/(?:locations\/[^/]+\/)?secrets\/[^/]+)\/versions\/([^/]+)$/.exec(name);
    if (!match?.[1] || !match[2]) throw grpcError(status.INVALID_ARGUMENT, `Invalid resource field value in the request: ${name}`);
    const [, secret, version] = match as unknown as [string, string, string];
    const grants = this.#grants.get(principal);
    if (!grants?.has(secret) && !grants?.has('*')) {
      throw grpcError(status.PERMISSION_DENIED, `Permission 'secretmanager.versions.access' denied for resource '${name}' (or it may not exist).`);
    }
    const versions = this.#secrets.get(secret) ?? [];
    const number = version === 'latest' ? latestEnabled(versions) : Number(version);
    const entry = versions[number - 1];
    if (!entry) throw grpcError(status.NOT_FOUND, `Secret Version [${secret}/versions/${version}] not found.`);
    if (entry.state !== 'ENABLED') throw grpcError(status.FAILED_PRECONDITION, `Secret Version [${secret}/versions/${number}] is in ${entry.state} state.`);
    const crc = this.corruptCrc ? (crc32c(entry.data) + 1) % 2 ** 32 : crc32c(entry.data);
    return { name: `${secret}/versions/${number}`, payload: { data: entry.data, ...(this.omitCrc ? {} : { dataCrc32c: String(crc) }) } };
  }
}

/** Starts a fake and stops it when the test ends. */
export async function startFakeSecretManager(t: ExecutionContext, options: FakeSecretManagerOptions = {}): Promise<FakeSecretManager> {
  const fake = new FakeSecretManager(options);
  await fake.start();
  t.teardown(() => fake.stop());
  return fake;
}

function latestEnabled(versions: readonly FakeVersion[]): number {
  for (let index = versions.length - 1; index >= 0; index -= 1) if (versions[index]?.state === 'ENABLED') return index + 1;
  return 0;
}

function grpcError(code: status, details: string): ServiceError {
  return Object.assign(new Error(details), { code, details, metadata: new Metadata() });
}

/** The SecretManagerService definition from the protos shipped in @google-cloud/secret-manager. */
function secretManagerService() {
  const json = require('@google-cloud/secret-manager/build/protos/protos.json') as Record<string, unknown>;
  const definition = fromJSON(json, { keepCase: false, longs: String, enums: String, defaults: true, oneofs: true });
  const root = loadPackageDefinition(definition);
  const path = ['google', 'cloud', 'secretmanager', 'v1', 'SecretManagerService'];
  const constructor = path.reduce<unknown>((node, key) => (node as GrpcObject)[key], root) as ServiceClientConstructor;
  return constructor.service;
}
