/** Renders Courier's manifests the way users do (kustomize, helm) and parses the result into objects. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';

const run = promisify(execFile);

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TOOLS = join(ROOT, '.tools/bin');

/** A Kubernetes object as rendered. */
export type KubeObject = Record<string, unknown> & { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } };

/** Parses multi-document YAML, dropping empty documents; a YAML error throws. */
export function parseObjects(text: string): KubeObject[] {
  return parseAllDocuments(text).flatMap((document) => {
    const [error] = document.errors;
    if (error) throw new Error(`YAML: ${error.message}`);
    const value = document.toJS() as KubeObject | null;
    return value === null ? [] : [value];
  });
}

/** Reads the objects of a YAML file in the repository. */
export async function readObjects(path: string): Promise<KubeObject[]> {
  return parseObjects(await readFile(join(ROOT, path), 'utf8'));
}

/** `kustomize build`: the project-local kustomize (scripts/install-kustomize.sh), else `kubectl kustomize`. */
export async function kustomize(dir: string): Promise<KubeObject[]> {
  const local = join(TOOLS, 'kustomize');
  const [command, args] = existsSync(local) ? [local, ['build', join(ROOT, dir)]] : ['kubectl', ['kustomize', join(ROOT, dir)]];
  const { stdout } = await run(command, args, { timeout: 30_000 }).catch((error: NodeJS.ErrnoException) => {
    throw error.code === 'ENOENT' ? new Error('neither .tools/bin/kustomize nor kubectl is installed: run scripts/install-kustomize.sh') : error;
  });
  return parseObjects(stdout);
}

/** `kustomize build` of the base with `components` (repository paths), as a user's overlay composes them. */
export async function kustomizeBaseWith(components: readonly string[]): Promise<KubeObject[]> {
  const dir = await mkdtemp(join(tmpdir(), 'courier-overlay-'));
  try {
    // kustomize refuses absolute roots, so the overlay points at the repository relatively.
    const up = (path: string) => relative(dir, join(ROOT, path));
    const lines = ['apiVersion: kustomize.config.k8s.io/v1beta1', 'kind: Kustomization', 'resources:', `  - ${up('manifests/base')}`, 'components:', ...components.map((path) => `  - ${up(path)}`)];
    await writeFile(join(dir, 'kustomization.yaml'), `${lines.join('\n')}\n`);
    return await kustomize(relative(ROOT, dir));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The project-local helm (scripts/install-helm.sh). */
export function helmPath(): string {
  const helm = join(TOOLS, 'helm');
  if (!existsSync(helm)) throw new Error('helm is not installed: run scripts/install-helm.sh');
  return helm;
}

/** Runs helm with `args`; resolves with stdout, rejects with helm's stderr in the message. */
export async function helm(args: readonly string[]): Promise<string> {
  try {
    const { stdout } = await run(helmPath(), [...args], { timeout: 30_000, env: { ...process.env, HELM_CACHE_HOME: join(TOOLS, '.helm-cache'), HELM_CONFIG_HOME: join(TOOLS, '.helm-config'), HELM_DATA_HOME: join(TOOLS, '.helm-data') } });
    return stdout;
  } catch (error) {
    throw new Error(`helm ${args.join(' ')}: ${String((error as { stderr?: string }).stderr ?? error)}`);
  }
}

/** The chart's directory. */
export const CHART = join(ROOT, 'manifests/charts/courier');
/** The Kubernetes version charts are rendered for (a go-installed helm otherwise assumes v1.20). */
export const KUBE_VERSION = '1.33.0';

/** `helm template` of the chart with `--set` values and values files, parsed. */
export async function helmTemplate(options: { set?: readonly string[]; values?: readonly string[]; namespace?: string } = {}): Promise<KubeObject[]> {
  const args = ['template', 'courier', CHART, '--namespace', options.namespace ?? 'courier-system', '--kube-version', KUBE_VERSION];
  for (const value of options.set ?? []) args.push('--set', value);
  for (const file of options.values ?? []) args.push('--values', file);
  return parseObjects(await helm(args));
}

/** The one object of `kind` (and `name`, if given); throws when there is not exactly one. */
export function only(objects: readonly KubeObject[], kind: string, name?: string): KubeObject {
  const found = objects.filter((object) => object.kind === kind && (name === undefined || object.metadata.name === name));
  if (found.length !== 1) throw new Error(`expected one ${kind}${name === undefined ? '' : ` ${name}`}, found ${found.length}`);
  return found[0] as KubeObject;
}
