/** Builds and runs the driver conformance harness: Mounts made by the Secrets Store CSI driver's own Go client. */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { readManifest, type SpcDocument } from '../../../src/cli/spc-manifest.ts';
import { DRIVER_KEYS } from '../../../src/spc/decode-request.ts';
import { tokensAttribute } from '../../helpers/pod-token.ts';

const run = promisify(execFile);
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const HARNESS_DIR = join(REPO_ROOT, 'test', 'e2e', 'driver');

/** Where scripts/build-driver-harness.sh puts the binary. */
export const HARNESS_BINARY = join(HARNESS_DIR, 'bin', 'harness');

/**
 * Builds the harness unless the binary is newer than every source (Go files, go.mod, go.sum). The
 * first build on a machine downloads the driver's modules and takes a few minutes; later ones are quick.
 */
export async function buildHarness(): Promise<string> {
  const built = await stat(HARNESS_BINARY).then((info) => info.mtimeMs, () => 0);
  if (built > (await newestSource(HARNESS_DIR))) return HARNESS_BINARY;
  await run('bash', [join(REPO_ROOT, 'scripts', 'build-driver-harness.sh')], { timeout: 9 * 60_000 });
  return HARNESS_BINARY;
}

async function newestSource(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory() && entry.name !== 'bin') newest = Math.max(newest, await newestSource(join(dir, entry.name)));
    if (entry.isFile() && /\.go$|^go\.(mod|sum)$/.test(entry.name)) newest = Math.max(newest, (await stat(join(dir, entry.name))).mtimeMs);
  }
  return newest;
}

/** The pod a mount is for, as kubelet describes it to the driver (podInfoOnMount). */
export interface DriverPod {
  readonly name: string;
  readonly namespace: string;
  readonly serviceAccount?: string;
  readonly uid?: string;
}

/** A SecretProviderClass as the driver reads it: its name and `spec.parameters`. */
export type SpcParameters = Pick<SpcDocument, 'name' | 'parameters'>;

/**
 * The `attributes` the driver sends: the SecretProviderClass parameters, overlaid by the volume
 * attributes kubelet passes (the class name and pod info), plus the service-account tokens when the
 * CSIDriver asks for some.
 */
export function driverAttributes(spc: SpcParameters, pod: DriverPod, tokens: ReadonlyArray<{ audience: string; token: string }> = []): Record<string, string> {
  const attributes: Record<string, string> = {
    ...spc.parameters,
    [DRIVER_KEYS.secretProviderClass]: spc.name,
    [DRIVER_KEYS.podName]: pod.name,
    [DRIVER_KEYS.podNamespace]: pod.namespace,
    [DRIVER_KEYS.podUid]: pod.uid ?? '6f1c1a52-0000-4000-8000-00000000e2e0',
    [DRIVER_KEYS.serviceAccount]: pod.serviceAccount ?? 'default',
    [DRIVER_KEYS.ephemeral]: 'false',
  };
  if (tokens.length > 0) attributes[DRIVER_KEYS.tokens] = tokensAttribute(tokens);
  return attributes;
}

/** Reads the SecretProviderClass named `name` (or the only one) from a manifest file. */
export async function readSpc(file: string, name?: string): Promise<SpcDocument> {
  const { classes } = readManifest(await readFile(file, 'utf8'));
  const found = classes.filter((spc) => name === undefined || spc.name === name);
  if (found.length !== 1 || !found[0]) throw new Error(`${file}: expected one SecretProviderClass${name ? ` named ${name}` : ''}, found ${found.length}`);
  return found[0];
}

/** Where the provider listens: a CourierProcess fits. */
export interface ProviderSocket {
  readonly socketDir: string;
  readonly providerName: string;
}

/** One Mount as the driver makes it. */
export interface HarnessMount {
  readonly attributes: Readonly<Record<string, string>>;
  /** nodePublishSecretRef data; absent sends `null`, as the driver does without one. */
  readonly secrets?: Readonly<Record<string, string>>;
  readonly target: string;
  /** Decimal, as the driver sends it; default 420 (0644). */
  readonly permission?: number;
  /** Deadline of each Mount; default the harness's 2 minutes. */
  readonly timeoutMs?: number;
}

/** A file the driver's writer left under the target, as a pod sees it. */
export interface HarnessFile {
  readonly path: string;
  /** Octal, e.g. "0644". */
  readonly mode: string;
  readonly size: number;
  readonly sha256: string;
}

/** What `harness mount` reports. `error` is the gRPC status message, as it reaches the pod's events. */
export interface HarnessMountResult {
  readonly ok: boolean;
  readonly objectVersions: Readonly<Record<string, string>>;
  /** The driver's error reason, e.g. GRPCProviderError or FileWriteError; '' when ok. */
  readonly errorCode: string;
  /** The gRPC code name, e.g. InvalidArgument; '' when ok or not a gRPC error. */
  readonly grpcCode: string;
  readonly error: string;
  readonly files: readonly HarnessFile[];
}

/** Mounts once through the driver's client and writer. */
export async function harnessMount(provider: ProviderSocket, mount: HarnessMount): Promise<HarnessMountResult> {
  return JSON.parse(await runHarness('mount', provider, mount, [])) as HarnessMountResult;
}

/** What `harness loop` reports. */
export interface HarnessLoopResult {
  readonly mounts: number;
  readonly failures: number;
  /** The first few failures, as `<driver reason>: <message>`. */
  readonly failureMessages: readonly string[];
  /** Longest time without a successful Mount, in milliseconds. */
  readonly longestGapMs: number;
}

/** Mounts again and again for `durationMs` over one long-lived driver client, pausing `intervalMs` between calls. */
export async function harnessLoop(provider: ProviderSocket, mount: HarnessMount & { readonly durationMs: number; readonly intervalMs: number }): Promise<HarnessLoopResult> {
  const output = await runHarness('loop', provider, mount, ['--duration', `${mount.durationMs}ms`, '--interval', `${mount.intervalMs}ms`]);
  return JSON.parse(output) as HarnessLoopResult;
}

async function runHarness(mode: 'mount' | 'loop', provider: ProviderSocket, mount: HarnessMount, extra: readonly string[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'courier-harness-'));
  try {
    const args = [mode, '--socket-dir', provider.socketDir, '--provider', provider.providerName, '--target', mount.target, '--attributes', join(dir, 'attributes.json')];
    await writeFile(join(dir, 'attributes.json'), JSON.stringify(mount.attributes), { mode: 0o600 });
    if (mount.secrets) {
      await writeFile(join(dir, 'secrets.json'), JSON.stringify(mount.secrets), { mode: 0o600 });
      args.push('--secrets', join(dir, 'secrets.json'));
    }
    if (mount.permission !== undefined) args.push('--permission', String(mount.permission));
    if (mount.timeoutMs !== undefined) args.push('--timeout', `${mount.timeoutMs}ms`);
    const { stdout } = await run(HARNESS_BINARY, [...args, ...extra], { maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
