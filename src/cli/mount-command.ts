/** `courier mount`: one Mount from a manifest, in-process or against a running server, written atomically. */
import { readFile } from 'node:fs/promises';
import { credentials, type Client } from '@grpc/grpc-js';
import { CourierError } from '../errors/courier-error.ts';
import { createObjectFetcher } from '../fetch/fetch-objects.ts';
import { createDryRunMirror } from '../kube/dry-run-mirror.ts';
import type { SecretMirror } from '../kube/secret-mirror.ts';
import { createLogger } from '../observability/logger.ts';
import { createMetrics, type Metrics } from '../observability/metrics.ts';
import type { MountFile, ObjectVersion } from '../output/assemble.ts';
import { createAtomicWriter, writeAtomically } from '../output/atomic-writer.ts';
import { parseFileMode } from '../output/file-mode.ts';
import { runMount } from '../pipeline/mount.ts';
import { DEFAULT_BUDGETS } from '../spc/budgets.ts';
import { loadProviderProto } from '../server/proto-client.ts';
import { type WireMountResponse } from '../server/proto.ts';
import { decodeRequest, type RawMountRequest } from '../spc/decode-request.ts';
import { createStoreRegistry } from '../stores/registry.ts';
import { closeStores, startStores, type StoresFlags } from '../stores/start-stores.ts';
import { buildMountRequest } from './build-request.ts';
import { lazyKube, type LazyKube } from './lazy-kube.ts';
import { createSharedParts } from './shared-parts.ts';
import { readManifest } from './spc-manifest.ts';

const TIMEOUT_MS = 110_000;

/** Runs the command; returns the exit code. Errors print as `courier mount: <message>`. */
export async function mountCommand(flags: Record<string, unknown>): Promise<number> {
  try {
    const request = await requestFromFlags(flags);
    const socket = flags['socket'];
    if (typeof socket === 'string' && flags['mirror'] === true) throw new Error('--mirror works in-process only; a running courier mirrors when started with --mirror-secrets');
    const answer = typeof socket === 'string' ? await mountOverSocket(socket, request) : await mountInProcess(request, flags);
    // A server started with --write-files has written the files itself and returns none.
    if (answer.files.length > 0) await writeAtomically(request.targetPath, answer.files);
    const lines = answer.files.map((file) => `  ${file.path} (0${file.mode.toString(8)}, ${file.contents.byteLength} bytes)`);
    const versions = answer.versions.map((version) => `${version.id}@${version.version}`).join(', ');
    process.stdout.write(`mounted ${answer.files.length} file${answer.files.length === 1 ? '' : 's'} into ${request.targetPath}\n${lines.join('\n')}${lines.length ? '\n' : ''}versions: ${versions}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`courier mount: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

async function requestFromFlags(flags: Record<string, unknown>): Promise<RawMountRequest> {
  const manifest = readManifest(await readFile(flags['spc'] as string, 'utf8'));
  const problem = manifest.problems[0];
  if (problem) throw new Error(`${flags['spc'] as string}:${problem.document}: ${problem.field}: ${problem.message}`);
  const spc = manifest.classes[0];
  if (!spc) throw new Error(`${flags['spc'] as string} holds no SecretProviderClass`);
  const tokens = new Map<string, string>();
  for (const entry of (flags['token'] as string[] | undefined) ?? []) {
    const [audience, file] = entry.split(/=(.*)/s);
    if (!audience || !file) throw new Error(`--token "${entry}" must be AUDIENCE=FILE`);
    tokens.set(audience, (await readFile(file, 'utf8')).trim());
  }
  const permission = parseFileMode(flags['permission']);
  if (typeof permission !== 'number') throw new Error(`--permission: ${permission.error}`);
  return buildMountRequest(spc, {
    namespace: (flags['namespace'] as string | undefined) ?? spc.namespace ?? 'default',
    podName: flags['podName'] as string,
    serviceAccount: flags['serviceAccount'] as string,
    tokens,
    permission,
    targetPath: flags['target'] as string,
  });
}

interface Answer {
  readonly files: readonly MountFile[];
  readonly versions: readonly ObjectVersion[];
}

async function mountInProcess(request: RawMountRequest, flags: Record<string, unknown>): Promise<Answer> {
  const kube = lazyKube(typeof flags['kubeconfig'] === 'string' ? flags['kubeconfig'] : undefined);
  // The same stores, built the same way, as `courier serve` with these flags would run.
  const registry = createStoreRegistry();
  const allowProviderIdentity = flags['allowProviderIdentity'] === true || flags['allowProviderIdentity'] === 'true';
  const metrics = createMetrics();
  const shared = await createSharedParts({ allowProviderIdentity, verifyTokens: 'off' }, kube, metrics.registry);
  const backends = await startStores(registry, (flags['stores'] as StoresFlags | undefined) ?? {}, shared);
  try {
    const fetcher = createObjectFetcher(backends, metrics);
    const report = (line: string) => process.stderr.write(`courier mount: ${line}\n`);
    const mirror = flags['mirror'] === true ? await writingMirror(kube, metrics) : createDryRunMirror(report);
    const decoded = decodeRequest(request);
    // The CLI's pod does not exist: an owner reference to it would have the garbage collector delete the mirror at once.
    const pod = flags['mirror'] === true ? { ...decoded.pod, uid: '' } : decoded.pod;
    return await runMount({ ...decoded, pod }, { fetcher, catalog: registry.catalog, backends, budgets: DEFAULT_BUDGETS, contentVersion: shared.contentVersion, writer: createAtomicWriter(), writeFiles: false, mirror }, AbortSignal.timeout(TIMEOUT_MS));
  } catch (error) {
    if (error instanceof CourierError) throw new Error(`${error.message} (${error.name})`);
    throw error;
  } finally {
    await closeStores(backends);
  }
}

/** `--mirror`: loads the Kubernetes client (about a second) only when Secrets are to be written. */
async function writingMirror(kube: LazyKube, metrics: Metrics): Promise<SecretMirror> {
  const { createSecretMirror } = await import('../kube/secret-mirror.ts');
  return createSecretMirror(await kube.client(), { logger: createLogger('warn', process.stderr), metrics });
}

async function mountOverSocket(socket: string, request: RawMountRequest): Promise<Answer> {
  const { Client } = loadProviderProto();
  const client = new Client(`unix:${socket}`, credentials.createInsecure()) as Client & Record<string, (...args: unknown[]) => void>;
  try {
    const response = await new Promise<WireMountResponse>((resolve, reject) => {
      client['Mount']?.({ ...request, currentObjectVersion: [] }, { deadline: Date.now() + TIMEOUT_MS }, (error: Error | null, value: WireMountResponse) => (error ? reject(error) : resolve(value)));
    });
    return { files: response.files, versions: response.objectVersion };
  } finally {
    client.close();
  }
}
