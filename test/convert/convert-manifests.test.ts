import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { parse, parseAllDocuments } from 'yaml';
import { convertManifests, formatReportLine, type ConversionResult } from '../../src/convert/convert-manifests.ts';
import { checkTemplate, compileTemplate, DEFAULT_TEMPLATE_BUDGETS, renderTemplate } from '../../src/transform/template/index.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

async function convertFixture(...names: string[]): Promise<ConversionResult> {
  return convertManifests(await Promise.all(names.map(async (name) => ({ name, text: await readFile(`${FIXTURES}${name}`, 'utf8') }))));
}

interface SpcObject {
  readonly path: string;
  readonly mode?: string;
  readonly template: string;
  readonly inputs: Readonly<Record<string, { source: string; method?: string; args?: Record<string, string> }>>;
}

/** A converted SecretProviderClass: its parameters, and its objects read as the native dialect reads them (YAML 1.1). */
function classOf(text: string): { metadata: Record<string, string>; provider: string; parameters: Record<string, string>; objects: SpcObject[] } {
  const manifest = parse(text) as { kind: string; metadata: Record<string, string>; spec: { provider: string; parameters: Record<string, string> } };
  if (manifest.kind !== 'SecretProviderClass') throw new Error(`not a SecretProviderClass: ${manifest.kind}`);
  const objects = parse(manifest.spec.parameters['objects'] ?? '', { version: '1.1' }) as SpcObject[];
  return { metadata: manifest.metadata, provider: manifest.spec.provider, parameters: manifest.spec.parameters, objects };
}

/** Renders a converted object with its inputs' values (input name to the secret's data). */
function renderObject(object: SpcObject, values: Readonly<Record<string, unknown>>): Buffer {
  const field = `objects[0].template`;
  const names = Object.keys(object.inputs);
  if (checkTemplate(object.template, names, field).length > 0) throw new Error(`the template does not check: ${JSON.stringify(checkTemplate(object.template, names, field))}`);
  const inputs = new Map(names.map((name) => [name, new TextEncoder().encode(typeof values[name] === 'string' ? values[name] : JSON.stringify(values[name]))]));
  return Buffer.from(renderTemplate(compileTemplate(object.template, field), inputs, DEFAULT_TEMPLATE_BUDGETS, field));
}

type Workload = { metadata: Record<string, unknown>; spec: Record<string, unknown> };
const podSpecOf = (text: string, path: readonly string[]): { metadata?: { annotations?: Record<string, string> }; spec: { volumes: unknown[]; containers: Array<{ name: string; volumeMounts?: unknown[] }>; initContainers?: Array<{ name: string; volumeMounts?: unknown[] }> } } =>
  path.reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], parse(text) as Workload) as never;

const MOUNT = { name: 'courier-secrets', mountPath: '/vault/secrets', readOnly: true };
const volume = (spc: string) => ({ name: 'courier-secrets', csi: { driver: 'secrets-store.csi.k8s.io', readOnly: true, volumeAttributes: { secretProviderClass: spc } } });

test('the JDBC example converts and renders the same line byte for byte', async (t) => {
  const result = await convertFixture('jdbc-deployment.yaml');
  t.is(result.converted, 1);
  const [spcText = '', workloadText = ''] = result.documents;
  t.true(spcText.startsWith('# courier convert: from jdbc-deployment.yaml, Deployment orders\n'));
  const spc = classOf(spcText);
  t.deepEqual(spc.metadata, { name: 'orders-vault', namespace: 'shop' });
  t.is(spc.provider, 'courier');
  t.deepEqual(Object.keys(spc.parameters), ['vault.role', 'objects']);
  t.is(spc.parameters['vault.role'], 'orders');
  t.deepEqual(spc.objects, [{ path: 'db-creds', template: 'jdbc:oracle:thin:{{ db_creds.username }}/{{ db_creds.password }}@//192.168.34.212:4464/app\n', inputs: { db_creds: { source: 'vault:secrets/db/creds' } } }]);
  const [object] = spc.objects;
  t.is(renderObject(object as SpcObject, { db_creds: { username: 'orders_app', password: 'Xk9#p$2!q' } }).toString(), 'jdbc:oracle:thin:orders_app/Xk9#p$2!q@//192.168.34.212:4464/app\n');
  const pod = podSpecOf(workloadText, ['spec', 'template']);
  t.deepEqual(pod.metadata?.annotations, { 'prometheus.io/scrape': 'true' });
  t.deepEqual(pod.spec.volumes, [volume('orders-vault')]);
  t.deepEqual(pod.spec.containers[0]?.volumeMounts, [MOUNT]);
  t.true(workloadText.startsWith('# The example from platform guides'), 'the workload keeps its comments');
  t.deepEqual(result.report.map(formatReportLine), [
    "jdbc-deployment.yaml:20: Deployment orders: vault.hashicorp.com/service: note: the pod names no Vault address (the injector's default applied); Courier's default applies, or pass --vault-address",
  ]);
});

test('an env file from KV version 2 keeps file name, mode, auth mount, namespace and address', async (t) => {
  const result = await convertFixture('env-file-statefulset.yaml');
  const spc = classOf(result.documents[0] ?? '');
  t.deepEqual(spc.parameters, {
    'vault.role': 'ledger',
    'vault.address': 'https://vault.finance.svc:8200',
    'vault.authMount': 'k8s-prod',
    'vault.namespace': 'team-finance',
    objects: spc.parameters['objects'] ?? '',
  });
  t.deepEqual(spc.objects, [{
    path: 'ledger.env',
    mode: '0440',
    template: '{% assign keys = config | keys %}{% for k in keys %}\nexport {{ k }}="{{ config[k] }}"{% endfor %}\n',
    inputs: { config: { source: 'vault:kv/ledger/config' } },
  }]);
  t.is(renderObject(spc.objects[0] as SpcObject, { config: { LEDGER_URL: 'https://ledger', API_TOKEN: 't0k' } }).toString(), '\nexport API_TOKEN="t0k"\nexport LEDGER_URL="https://ledger"\n');
  const pod = podSpecOf(result.documents[1] ?? '', ['spec', 'template']);
  t.deepEqual(pod.spec.containers[0]?.volumeMounts, [{ name: 'data', mountPath: '/var/lib/ledger' }, MOUNT]);
  t.is(pod.metadata?.annotations, undefined);
  t.regex(result.documents[1] ?? '', /command: \["\/bin\/sh", "-c", "\. \/vault\/secrets\/ledger\.env && exec \/app\/ledger"\]/, 'flow sequences keep their look');
  t.deepEqual(result.report.map(formatReportLine), [
    'env-file-statefulset.yaml:31: StatefulSet ledger: vault.hashicorp.com/agent-limits-cpu: note: configures the Vault Agent containers, which Courier replaces; dropped',
    'env-file-statefulset.yaml:32: StatefulSet ledger: vault.hashicorp.com/agent-requests-mem: note: configures the Vault Agent containers, which Courier replaces; dropped',
  ]);
});

test('a multi-document file converts each injected workload and leaves the rest out', async (t) => {
  const result = await convertFixture('multi-document.yaml');
  t.is(result.converted, 2);
  t.deepEqual(result.documents.map((text) => (parse(text) as { kind: string; metadata: { name: string } })).map((doc) => `${doc.kind}/${doc.metadata.name}`), ['SecretProviderClass/api-vault', 'Deployment/api', 'SecretProviderClass/debug-vault', 'Pod/debug']);
  const api = classOf(result.documents[0] ?? '');
  t.deepEqual(api.objects.map((object) => [object.path, object.template, object.inputs]), [
    ['db', 'postgresql://{{ db.username }}:{{ db.password }}@postgres.data:5432/api?sslmode=require\n', { db: { source: 'vault:database/creds/api' } }],
    ['flags', '{% assign keys = flags | keys %}{% for k in keys %}{{ k }}: {{ flags[k] }}\n{% endfor %}', { flags: { source: 'vault:config/api/flags' } }],
    ['app.json', '{\n  "apiKey": "{{ app_json["api-key"] }}",\n  "features": {{ app_json.features | json }},\n  "smtp": {{ app_json.smtp | json: 2 }}\n}\n', { app_json: { source: 'vault:secret/api/app' } }],
    ['keystore.jks', '{{ keystore_jks.jks | base64_decode }}', { keystore_jks: { source: 'vault:secret/api/keystore' } }],
  ]);
  const [db, flags, app, keystore] = api.objects as [SpcObject, SpcObject, SpcObject, SpcObject];
  t.is(renderObject(db, { db: { username: 'v-api', password: 'pw' } }).toString(), 'postgresql://v-api:pw@postgres.data:5432/api?sslmode=require\n');
  t.is(renderObject(flags, { flags: { search: 'on', beta: 'off' } }).toString(), 'beta: off\nsearch: on\n');
  t.is(renderObject(app, { app_json: { 'api-key': 'K', features: { b: true, a: 1 }, smtp: { host: 'mail' } } }).toString(), '{\n  "apiKey": "K",\n  "features": {"a":1,"b":true},\n  "smtp": {\n  "host": "mail"\n}\n}\n');
  t.deepEqual([...renderObject(keystore, { keystore_jks: { jks: Buffer.from([0xfe, 0xed, 0x00, 0x80]).toString('base64') } })], [0xfe, 0xed, 0x00, 0x80]);
  const deployment = podSpecOf(result.documents[1] ?? '', ['spec', 'template']);
  t.deepEqual(deployment.spec.containers.map((container) => container.volumeMounts), [[MOUNT], [MOUNT]]);
  const pod = podSpecOf(result.documents[3] ?? '', []);
  t.is(pod.metadata?.annotations, undefined);
  t.deepEqual(pod.spec.volumes, [volume('debug-vault')]);
  const debug = classOf(result.documents[2] ?? '');
  t.is(renderObject(debug.objects[0] as SpcObject, { token: { token: ' tk \n' } }).toString(), 'tk\n');
  t.is(renderObject(debug.objects[0] as SpcObject, { token: { token: '' } }).toString(), 'none\n');
  t.false(result.documents.some((text) => text.startsWith('---')), 'no document carries its own start marker');
});

test('a TLS bundle from PKI converts to a write with arguments, mounted at its own path in one container', async (t) => {
  const result = await convertFixture('tls-daemonset.yaml');
  const spc = classOf(result.documents[0] ?? '');
  t.deepEqual(spc.objects[0]?.inputs, { bundle_pem: { source: 'vault:pki/issue/edge', method: 'PUT', args: { common_name: 'edge.example.com', ttl: '72h' } } });
  t.is(renderObject(spc.objects[0] as SpcObject, { bundle_pem: { certificate: 'LEAF', ca_chain: ['INT', 'ROOT'], private_key: 'KEY' } }).toString(), 'LEAF\nINT\nROOT\nKEY\n');
  const pod = podSpecOf(result.documents[1] ?? '', ['spec', 'template']);
  t.deepEqual(pod.spec.containers.map((container) => [container.name, container.volumeMounts]), [['proxy', [{ ...MOUNT, mountPath: '/etc/tls' }]], ['log-shipper', undefined]]);
  t.deepEqual(result.report.map(formatReportLine), [
    "tls-daemonset.yaml:16: DaemonSet edge-proxy: vault.hashicorp.com/service: note: the pod names no Vault address (the injector's default applied); Courier's default applies, or pass --vault-address",
    'tls-daemonset.yaml:21: DaemonSet edge-proxy: vault.hashicorp.com/agent-inject-template-bundle.pem: note: secret "pki/issue/edge" with arguments writes to Vault (PUT) on every Mount: with rotation on, a new certificate is issued at each rotation poll',
  ]);
});

test('what cannot be translated is reported line by line and the rest still converts', async (t) => {
  const result = await convertFixture('unsupported-job.yaml');
  t.is(result.converted, 1);
  t.deepEqual(result.report.map(formatReportLine), [
    "unsupported-job.yaml:12: Job rotate-keys: vault.hashicorp.com/service: note: the pod names no Vault address (the injector's default applied); Courier's default applies, or pass --vault-address",
    'unsupported-job.yaml:13: Job rotate-keys: vault.hashicorp.com/agent-pre-populate-only: note: configures the Vault Agent containers, which Courier replaces; dropped',
    'unsupported-job.yaml:15: Job rotate-keys: vault.hashicorp.com/tls-skip-verify: not translated: how Courier connects to Vault (TLS, proxy) is set on Courier itself, not per pod',
    'unsupported-job.yaml:16: Job rotate-keys: vault.hashicorp.com/agent-inject-token: not translated: Courier never gives the pod a Vault token',
    'unsupported-job.yaml:18: Job rotate-keys: vault.hashicorp.com/agent-inject-command-signing: not translated: Courier runs no command after rendering; have the application watch the file',
    'unsupported-job.yaml:19: Job rotate-keys: vault.hashicorp.com/agent-inject-template-signing: template line 4, column 9: not translated: pkiCert: keeps an issued certificate across renders; issue it with `secret "pki/issue/<role>" "common_name=..."` (a write on every Mount) or store it',
    'unsupported-job.yaml:19: Job rotate-keys: vault.hashicorp.com/agent-inject-template-signing: template line 4, column 73: not translated: writeToFile: writes files beside the template; make each file its own object',
    'unsupported-job.yaml:19: Job rotate-keys: vault.hashicorp.com/agent-inject-template-signing: template line 5, column 4: not translated: env: templates cannot read environment variables',
  ]);
  const spc = classOf(result.documents[0] ?? '');
  t.is(spc.objects[0]?.template, 'latest={{ signing.latest_version }}\n\n\n');
  const pod = podSpecOf(result.documents[1] ?? '', ['spec', 'template']);
  t.is(pod.metadata, undefined, 'metadata that held only injector annotations is removed');
});

test('a CronJob with the JSON default template, init-first and custom delimiters', async (t) => {
  const result = await convertFixture('cronjob-json.yaml');
  t.is(result.converted, 1);
  const spc = classOf(result.documents[0] ?? '');
  t.deepEqual(spc.objects.map((object) => [object.path, object.template]), [
    ['smtp.json', '{{ smtp_json | json }}\n'],
    ['banner.txt', '{{ "{" }}{ Report for {{ banner_txt.team }} }}\n'],
  ]);
  t.is(renderObject(spc.objects[1] as SpcObject, { banner_txt: { team: 'finance' } }).toString(), '{{ Report for finance }}\n');
  const pod = podSpecOf(result.documents[1] ?? '', ['spec', 'jobTemplate', 'spec', 'template']);
  t.deepEqual(pod.spec.initContainers?.[0]?.volumeMounts, [MOUNT]);
  t.deepEqual(pod.spec.containers[0]?.volumeMounts, [MOUNT]);
  t.deepEqual(result.report.map(formatReportLine), [
    "cronjob-json.yaml:14: CronJob nightly-report: vault.hashicorp.com/service: note: the pod names no Vault address (the injector's default applied); Courier's default applies, or pass --vault-address",
    "cronjob-json.yaml:18: CronJob nightly-report: vault.hashicorp.com/agent-inject-secret-smtp.json: note: toJSON: Courier's json writes <, > and & as they are where Go writes \\u003c, \\u003e and \\u0026 (the JSON means the same)",
    'cronjob-json.yaml:40: Pod not-injected: vault.hashicorp.com/agent-inject is not "true", so the injector leaves this pod alone; not converted',
  ]);
});

test('every converted object\'s template checks clean against its inputs', async (t) => {
  const result = await convertFixture('jdbc-deployment.yaml', 'env-file-statefulset.yaml', 'multi-document.yaml', 'tls-daemonset.yaml', 'unsupported-job.yaml', 'cronjob-json.yaml');
  const classes = result.documents.filter((text) => text.includes('kind: SecretProviderClass')).map(classOf);
  t.is(classes.length, 7);
  for (const spc of classes) {
    spc.objects.forEach((object, index) => t.deepEqual(checkTemplate(object.template, Object.keys(object.inputs), `objects[${index}].template`), [], `${spc.metadata['name'] ?? ''} ${object.path}`));
  }
});

test('--vault-address fills in vault.address when a pod names none', async (t) => {
  const text = await readFile(`${FIXTURES}jdbc-deployment.yaml`, 'utf8');
  const result = convertManifests([{ name: 'jdbc.yaml', text }], { vaultAddress: 'https://vault.example:8200' });
  t.is(classOf(result.documents[0] ?? '').parameters['vault.address'], 'https://vault.example:8200');
  t.deepEqual(result.report, []);
});

const inline = (annotations: Record<string, string>, spec = 'containers:\n    - name: app\n      image: app:1') => {
  const lines = Object.entries(annotations).map(([key, value]) => `    ${key}: ${JSON.stringify(value)}`).join('\n');
  return convertManifests([{ name: 'pod.yaml', text: `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n${lines}\nspec:\n  ${spec}\n` }]);
};

test('names are lowercased as the injector does unless preserve-secret-case is set', (t) => {
  const lowered = inline({ 'vault.hashicorp.com/agent-inject': 'true', 'vault.hashicorp.com/role': 'r', 'vault.hashicorp.com/agent-inject-secret-DB.conf': 'kv/db' });
  t.is(classOf(lowered.documents[0] ?? '').objects[0]?.path, 'db.conf');
  const kept = inline({ 'vault.hashicorp.com/agent-inject': 'true', 'vault.hashicorp.com/role': 'r', 'vault.hashicorp.com/preserve-secret-case': 'true', 'vault.hashicorp.com/agent-inject-secret-DB.conf': 'kv/db' });
  t.is(classOf(kept.documents[0] ?? '').objects[0]?.path, 'DB.conf');
});

test('a missing role, a file path that leaves the mount and an orphan template are reported', (t) => {
  const result = inline({
    'vault.hashicorp.com/agent-inject': 'true',
    'vault.hashicorp.com/agent-inject-secret-a': 'kv/a',
    'vault.hashicorp.com/agent-inject-file-a': '../a',
    'vault.hashicorp.com/agent-inject-template-b': '{{ "x" }}',
    'vault.hashicorp.com/agent-magic': 'yes',
  });
  t.deepEqual(result.report.map(formatReportLine), [
    'pod.yaml:6: Pod p: vault.hashicorp.com/role: not translated: the pod names no Vault role; set vault.role',
    "pod.yaml:6: Pod p: vault.hashicorp.com/service: note: the pod names no Vault address (the injector's default applied); Courier's default applies, or pass --vault-address",
    'pod.yaml:8: Pod p: vault.hashicorp.com/agent-inject-file-a: not translated: file path: "../a" leaves the mount ("..")',
    'pod.yaml:9: Pod p: vault.hashicorp.com/agent-inject-template-b: not translated: no agent-inject-secret-<name> annotation has this name',
    'pod.yaml:10: Pod p: vault.hashicorp.com/agent-magic: not translated: unknown injector annotation; dropped',
  ]);
});

test('a container that already mounts the secrets path is reported and left alone', (t) => {
  const result = inline({ 'vault.hashicorp.com/agent-inject': 'true', 'vault.hashicorp.com/role': 'r', 'vault.hashicorp.com/service': 'https://v', 'vault.hashicorp.com/agent-inject-secret-a': 'kv/a' }, 'containers:\n    - name: app\n      volumeMounts:\n        - name: old\n          mountPath: /vault/secrets/\n  volumes:\n    - name: courier-secrets\n      emptyDir: {}');
  t.deepEqual(result.report.map(formatReportLine), [
    'pod.yaml: Pod p: container "app" already mounts something at /vault/secrets; its mount was not added',
    'pod.yaml: Pod p: no container got the secrets volume (check agent-inject-containers)',
  ]);
  t.deepEqual(podSpecOf(result.documents[1] ?? '', []).spec.volumes, [{ name: 'courier-secrets', emptyDir: {} }, { ...volume('p-vault'), name: 'courier-secrets-2' }]);
});

test('invalid YAML is reported with its line and nothing is converted', (t) => {
  const result = convertManifests([{ name: 'bad.yaml', text: 'kind: Pod\nmetadata: [\n' }]);
  t.deepEqual(result.report.map(formatReportLine), ['bad.yaml:3: document 1 is not valid YAML (BAD_INDENT)']);
  t.is(result.converted, 0);
});

test('the converted objects parameter reads back to the exact templates, whatever they hold', (t) => {
  const nasty = '{{- with secret "kv/a" }}\n  leading spaces\n\ttab: {{ .Data.x }} # not a comment\n- not a list\n"quoted" \'single\' yes no 0400\n\n\n{{- end }}';
  const result = inline({ 'vault.hashicorp.com/agent-inject': 'true', 'vault.hashicorp.com/role': 'r', 'vault.hashicorp.com/agent-inject-secret-a': 'kv/a', 'vault.hashicorp.com/agent-inject-template-a': nasty });
  const [object] = classOf(result.documents[0] ?? '').objects;
  t.is(object?.template, '\n  leading spaces\n\ttab: {{ a.x }} # not a comment\n- not a list\n"quoted" \'single\' yes no 0400');
  t.is(parseAllDocuments(result.documents.join('---\n')).length, 2);
});
