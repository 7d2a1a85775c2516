/** Reads a pod's `vault.hashicorp.com/*` annotations the way the Vault Agent Injector does, for conversion. */

/** The annotation prefix the injector owns. */
export const INJECTOR_PREFIX = 'vault.hashicorp.com/';

/** One `agent-inject-secret-<name>` and the per-secret annotations that go with it. */
export interface InjectorSecret {
  /** The name as written in the annotation key. */
  readonly name: string;
  readonly vaultPath: string;
  /** File path inside the secrets volume. */
  readonly file: string;
  readonly template?: string;
  /** The template is the injector's default one (no agent-inject-template-<name>). */
  readonly defaulted: boolean;
  readonly mode?: string;
  readonly leftDelimiter?: string;
  readonly rightDelimiter?: string;
}

/** Something about an annotation the converter reports: not translated, or a difference worth knowing. */
export interface AnnotationNote {
  readonly annotation: string;
  readonly severity: 'untranslated' | 'note';
  readonly message: string;
}

/** What the annotations ask for. */
export interface InjectorConfig {
  readonly inject: boolean;
  readonly role?: string;
  readonly address?: string;
  readonly authMount?: string;
  readonly namespace?: string;
  readonly volumePath: string;
  /** Only these containers get the secrets; undefined means all. */
  readonly containers?: readonly string[];
  /** Init containers get the secrets too (agent-init-first). */
  readonly initContainers: boolean;
  readonly secrets: readonly InjectorSecret[];
  readonly notes: readonly AnnotationNote[];
}

/** Annotations that only configure the injected agent containers, which Courier replaces. */
const AGENT_ONLY = [
  /^agent-image$/, /^agent-(limits|requests)-/, /^agent-run-as-/, /^agent-set-security-context$/, /^agent-share-process-namespace$/,
  /^agent-cache-/, /^agent-copy-volume-mounts$/, /^agent-enable-quit$/, /^agent-telemetry-/, /^go-max-procs$/, /^agent-(init-)?json-patch$/,
  /^log-(level|format)$/, /^agent-revoke-/, /^agent-auto-auth-exit-on-err$/, /^agent-disable-(idle-connections|keep-alives)$/,
  /^template-config-exit-on-retry-failure$/, /^template-static-secret-render-interval$/, /^template-max-connections-per-host$/,
  /^agent-auth-(min|max)-backoff$/, /^agent-api-proxy-/, /^agent-extra-secret$/, /^client-(max-retries|timeout)$/, /^agent-inject-status$/,
  /^agent-pre-populate(-only)?$/, /^preserve-secret-case$/,
];

/** Annotations whose behaviour Courier does not have, and why. */
const NOT_TRANSLATED: ReadonlyArray<readonly [RegExp, string]> = [
  [/^agent-configmap$/, 'the agent configuration lives in a ConfigMap the converter does not read; convert its templates by hand'],
  [/^agent-inject-token$/, 'Courier never gives the pod a Vault token'],
  [/^agent-inject-command-/, 'Courier runs no command after rendering; have the application watch the file'],
  [/^agent-inject-template-file-/, 'the template is read from a file in the pod; put it in the annotation (agent-inject-template-<name>) and convert again'],
  [/^(agent-inject-template|agent-inject-file|agent-inject-perms|agent-template-(left|right)-delim|secret-volume-path|error-on-missing-key|preserve-secret-case)-/, 'no agent-inject-secret-<name> annotation has this name'],
  [/^auth-type$/, 'Courier authenticates to Vault only with the pod\'s Kubernetes service account'],
  [/^auth-config-/, 'auth method settings are not translated'],
  [/^(tls-skip-verify|tls-secret|tls-server-name|ca-cert|ca-key|client-cert|client-key|proxy-address)$/, 'how Courier connects to Vault (TLS, proxy) is set on Courier itself, not per pod'],
  [/^agent-service-account-token-volume-name$/, 'Courier uses the token the CSI driver requests for the pod (audience vault.audience)'],
];

/** Reads `annotations` (all of a pod's annotations). */
export function readInjectorAnnotations(annotations: Readonly<Record<string, string>>): InjectorConfig {
  const own = new Map<string, string>();
  for (const [key, value] of Object.entries(annotations)) if (key.startsWith(INJECTOR_PREFIX)) own.set(key.slice(INJECTOR_PREFIX.length), value);
  const used = new Set<string>();
  const take = (key: string): string | undefined => {
    const value = own.get(key);
    if (value !== undefined) used.add(key);
    return value;
  };
  const notes: AnnotationNote[] = [];
  const inject = parseBool(take('agent-inject')) ?? false;
  const preserveCase = parseBool(take('preserve-secret-case')) ?? false;
  const volumePath = take('secret-volume-path') ?? '/vault/secrets';
  const defaultTemplate = take('agent-inject-default-template') ?? 'map';
  const secrets: InjectorSecret[] = [];
  for (const key of [...own.keys()].filter((name) => name.startsWith('agent-inject-secret-'))) {
    const name = key.slice('agent-inject-secret-'.length);
    const vaultPath = take(key) ?? '';
    const keepCase = parseBool(take(`preserve-secret-case-${name}`)) ?? preserveCase;
    const file = (take(`agent-inject-file-${name}`) ?? (keepCase ? name : name.toLowerCase())).replace(/^\/+/, '');
    const written = take(`agent-inject-template-${name}`);
    const template = written ?? (own.has(`agent-inject-template-file-${name}`) ? undefined : defaultTemplateFor(vaultPath, defaultTemplate, `${INJECTOR_PREFIX}agent-inject-secret-${name}`, notes));
    const mode = take(`agent-inject-perms-${name}`);
    const leftDelimiter = take(`agent-template-left-delim-${name}`);
    const rightDelimiter = take(`agent-template-right-delim-${name}`);
    const ownPath = take(`secret-volume-path-${name}`);
    if (ownPath !== undefined && ownPath !== volumePath) notes.push({ annotation: `${INJECTOR_PREFIX}secret-volume-path-${name}`, severity: 'untranslated', message: `the file is mounted under ${volumePath} with the others; one Courier volume has one mount path` });
    const missingKey = take(`error-on-missing-key-${name}`);
    if (missingKey !== undefined && parseBool(missingKey) === false) notes.push({ annotation: `${INJECTOR_PREFIX}error-on-missing-key-${name}`, severity: 'note', message: 'Courier always fails the Mount on a missing key (Vault Agent would write "<no value>")' });
    secrets.push({ name, vaultPath, file, ...(template === undefined ? {} : { template }), defaulted: written === undefined, ...(mode === undefined ? {} : { mode }), ...(leftDelimiter === undefined ? {} : { leftDelimiter }), ...(rightDelimiter === undefined ? {} : { rightDelimiter }) });
  }
  const role = take('role');
  const address = take('service');
  const authPath = take('auth-path');
  const namespace = take('namespace');
  const containers = take('agent-inject-containers');
  const initFirst = parseBool(take('agent-init-first')) ?? false;
  for (const key of own.keys()) if (!used.has(key)) notes.push(classify(key));
  return {
    inject,
    ...(role === undefined ? {} : { role }),
    ...(address === undefined ? {} : { address }),
    ...(authPath === undefined ? {} : { authMount: authPath.replace(/^\/?auth\//, '').replace(/\/+$/, '') }),
    ...(namespace === undefined ? {} : { namespace }),
    volumePath,
    ...(containers === undefined ? {} : { containers: containers.split(',').map((name) => name.trim()).filter((name) => name !== '') }),
    initContainers: initFirst,
    secrets,
    notes,
  };
}

/** Vault Agent's default templates (facts of the injector): a `key: value` line per key, or the data as JSON. */
function defaultTemplateFor(vaultPath: string, kind: string, annotation: string, notes: AnnotationNote[]): string {
  const kv2 = /^[^/]+\/data\//.test(vaultPath);
  const data = kv2 ? '.Data.data' : '.Data';
  if (kv2) notes.push({ annotation, severity: 'note', message: `without a template the injector writes the KV version 2 response (data: map[...] and metadata: map[...]); Courier writes the secret's data, ${kind === 'json' ? 'as JSON' : 'one "key: value" line per key'}` });
  const quoted = JSON.stringify(vaultPath);
  if (kind === 'json') return `{{ with secret ${quoted} }}{{ ${data} | toJSON }}\n{{ end }}`;
  return `{{ with secret ${quoted} }}{{ range $k, $v := ${data} }}{{ $k }}: {{ $v }}\n{{ end }}{{ end }}`;
}

function classify(key: string): AnnotationNote {
  const annotation = `${INJECTOR_PREFIX}${key}`;
  const reason = NOT_TRANSLATED.find(([pattern]) => pattern.test(key))?.[1];
  if (reason !== undefined) return { annotation, severity: 'untranslated', message: reason };
  if (AGENT_ONLY.some((pattern) => pattern.test(key))) return { annotation, severity: 'note', message: 'configures the Vault Agent containers, which Courier replaces; dropped' };
  return { annotation, severity: 'untranslated', message: 'unknown injector annotation; dropped' };
}

/** Go's strconv.ParseBool, which the injector uses. */
function parseBool(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value.trim())) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value.trim())) return false;
  return undefined;
}
