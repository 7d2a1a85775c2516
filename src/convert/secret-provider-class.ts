/** Builds the native-dialect SecretProviderClass for a workload's injector secrets. */
import { stringify } from 'yaml';
import { checkMountPath } from '../output/path-rules.ts';
import type { InjectorConfig, InjectorSecret } from './injector-annotations.ts';
import { translateTemplate, type TranslatedInput } from './translate-template.ts';
import type { Note } from './translation.ts';

/** A note about one annotation of the workload. */
export interface WorkloadNote extends Note {
  readonly annotation: string;
}

/** What a workload converts to. */
export interface ConvertedClass {
  /** The SecretProviderClass manifest, as plain data. */
  readonly manifest: Record<string, unknown>;
  readonly notes: readonly WorkloadNote[];
}

/** Options the user gives the converter. */
export interface ConvertOptions {
  /** Written as `vault.address` when the pod names no Vault service. */
  readonly vaultAddress?: string;
}

/** The class named `name` in `namespace` for `config`. */
export function buildSecretProviderClass(name: string, namespace: string | undefined, config: InjectorConfig, options: ConvertOptions): ConvertedClass {
  const notes: WorkloadNote[] = config.notes.map((note) => ({ annotation: note.annotation, severity: note.severity, message: note.message }));
  const objects: Array<Record<string, unknown>> = [];
  const paths = new Set<string>();
  for (const secret of config.secrets) {
    const object = convertSecret(secret, notes);
    if (!object) continue;
    if (paths.has(secret.file)) {
      notes.push({ annotation: secretAnnotation(secret), severity: 'untranslated', message: `a second secret writes ${secret.file}; dropped` });
      continue;
    }
    paths.add(secret.file);
    objects.push(object);
  }
  const parameters: Record<string, string> = {};
  if (config.role !== undefined) parameters['vault.role'] = config.role;
  else notes.push({ annotation: 'vault.hashicorp.com/role', severity: 'untranslated', message: 'the pod names no Vault role; set vault.role' });
  const address = config.address ?? options.vaultAddress;
  if (address !== undefined) parameters['vault.address'] = address;
  else notes.push({ annotation: 'vault.hashicorp.com/service', severity: 'note', message: 'the pod names no Vault address (the injector\'s default applied); Courier\'s default applies, or pass --vault-address' });
  if (config.authMount !== undefined && config.authMount !== 'kubernetes') parameters['vault.authMount'] = config.authMount;
  if (config.namespace !== undefined) parameters['vault.namespace'] = config.namespace;
  // YAML 1.1 quoting, because the native dialect reads parameters as YAML 1.1 (modes like 0400 are octal there).
  parameters['objects'] = stringify(objects, { version: '1.1', blockQuote: 'literal', lineWidth: 0 });
  const manifest = {
    apiVersion: 'secrets-store.csi.x-k8s.io/v1',
    kind: 'SecretProviderClass',
    metadata: { name, ...(namespace === undefined ? {} : { namespace }) },
    spec: { provider: 'courier', parameters },
  };
  return { manifest, notes };
}

function secretAnnotation(secret: InjectorSecret): string {
  return `vault.hashicorp.com/agent-inject-secret-${secret.name}`;
}

function convertSecret(secret: InjectorSecret, notes: WorkloadNote[]): Record<string, unknown> | undefined {
  if (secret.template === undefined) return undefined;
  const annotation = secret.defaulted ? secretAnnotation(secret) : `vault.hashicorp.com/agent-inject-template-${secret.name}`;
  const pathProblem = checkMountPath(secret.file);
  if (pathProblem !== undefined) {
    notes.push({ annotation: `vault.hashicorp.com/agent-inject-file-${secret.name}`, severity: 'untranslated', message: `file path: ${pathProblem}` });
    return undefined;
  }
  const translated = translateTemplate(secret.template, {
    ...(secret.leftDelimiter ? { left: secret.leftDelimiter } : {}),
    ...(secret.rightDelimiter ? { right: secret.rightDelimiter } : {}),
    inputName: { path: secret.vaultPath.replace(/^\/+/, ''), name: secret.name },
  });
  // Places in the injector's default template mean nothing to the user, who did not write it.
  for (const note of translated.notes) notes.push(secret.defaulted ? { annotation, severity: note.severity, message: note.message } : { annotation, ...note });
  if (translated.liquid === undefined) return undefined;
  return {
    path: secret.file,
    ...(secret.mode === undefined ? {} : { mode: secret.mode }),
    template: translated.liquid,
    inputs: Object.fromEntries(translated.inputs.map((input) => [input.name, inputEntry(input)])),
  };
}

/** `source: vault:<path>`, and for a write (`secret` with arguments) `method: PUT` and the arguments. */
function inputEntry(input: TranslatedInput): Record<string, unknown> {
  const write = Object.keys(input.args).length > 0;
  return { source: `vault:${input.path}`, ...(write ? { method: 'PUT', args: input.args } : {}) };
}
