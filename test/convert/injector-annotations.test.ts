import test from 'ava';
import { readInjectorAnnotations, type AnnotationNote } from '../../src/convert/injector-annotations.ts';

const P = 'vault.hashicorp.com/';
const BASE = { [`${P}agent-inject`]: 'true', [`${P}role`]: 'app', [`${P}agent-inject-secret-db`]: 'kv/db' };

const notes = test.macro({
  exec(t, annotations: Record<string, string>, expected: readonly AnnotationNote[]) {
    t.deepEqual(readInjectorAnnotations({ ...BASE, ...annotations }).notes, expected);
  },
  title: (given) => `reports ${given ?? ''}`,
});

const untranslated = (key: string, message: string): AnnotationNote => ({ annotation: `${P}${key}`, severity: 'untranslated', message });
const dropped = (key: string): AnnotationNote => ({ annotation: `${P}${key}`, severity: 'note', message: 'configures the Vault Agent containers, which Courier replaces; dropped' });

test('agent-configmap', notes, { [`${P}agent-configmap`]: 'cm' }, [untranslated('agent-configmap', 'the agent configuration lives in a ConfigMap the converter does not read; convert its templates by hand')]);
test('agent-inject-token', notes, { [`${P}agent-inject-token`]: 'true' }, [untranslated('agent-inject-token', 'Courier never gives the pod a Vault token')]);
test('agent-inject-command', notes, { [`${P}agent-inject-command-db`]: 'kill -HUP 1' }, [untranslated('agent-inject-command-db', 'Courier runs no command after rendering; have the application watch the file')]);
test('agent-inject-template-file', notes, { [`${P}agent-inject-template-file-db`]: '/vault/custom/db.tmpl' }, [untranslated('agent-inject-template-file-db', 'the template is read from a file in the pod; put it in the annotation (agent-inject-template-<name>) and convert again')]);
test('an annotation for a secret that is not declared', notes, { [`${P}agent-inject-perms-other`]: '0400' }, [untranslated('agent-inject-perms-other', 'no agent-inject-secret-<name> annotation has this name')]);
test('auth-type', notes, { [`${P}auth-type`]: 'approle' }, [untranslated('auth-type', 'Courier authenticates to Vault only with the pod\'s Kubernetes service account')]);
test('auth-config', notes, { [`${P}auth-config-role-id-file-path`]: '/x' }, [untranslated('auth-config-role-id-file-path', 'auth method settings are not translated')]);
test('TLS and proxy settings', notes, { [`${P}tls-skip-verify`]: 'true', [`${P}ca-cert`]: '/ca', [`${P}proxy-address`]: 'http://p' }, [
  untranslated('tls-skip-verify', 'how Courier connects to Vault (TLS, proxy) is set on Courier itself, not per pod'),
  untranslated('ca-cert', 'how Courier connects to Vault (TLS, proxy) is set on Courier itself, not per pod'),
  untranslated('proxy-address', 'how Courier connects to Vault (TLS, proxy) is set on Courier itself, not per pod'),
]);
test('a service account token volume', notes, { [`${P}agent-service-account-token-volume-name`]: 'tok' }, [untranslated('agent-service-account-token-volume-name', 'Courier uses the token the CSI driver requests for the pod (audience vault.audience)')]);
test('a per-secret volume path that differs', notes, { [`${P}secret-volume-path-db`]: '/etc/db' }, [untranslated('secret-volume-path-db', 'the file is mounted under /vault/secrets with the others; one Courier volume has one mount path')]);
test('error-on-missing-key false', notes, { [`${P}error-on-missing-key-db`]: 'false' }, [{ annotation: `${P}error-on-missing-key-db`, severity: 'note', message: 'Courier always fails the Mount on a missing key (Vault Agent would write "<no value>")' }]);
test('agent container settings as dropped', notes, { [`${P}agent-limits-cpu`]: '1', [`${P}agent-image`]: 'v', [`${P}agent-run-as-user`]: '100', [`${P}log-level`]: 'debug', [`${P}agent-pre-populate-only`]: 'true' }, [dropped('agent-limits-cpu'), dropped('agent-image'), dropped('agent-run-as-user'), dropped('log-level'), dropped('agent-pre-populate-only')]);
test('an unknown annotation', notes, { [`${P}agent-teleport`]: 'yes' }, [untranslated('agent-teleport', 'unknown injector annotation; dropped')]);
test('the default template of a KV version 2 secret', notes, { [`${P}agent-inject-secret-db`]: 'kv/data/db' }, [{ annotation: `${P}agent-inject-secret-db`, severity: 'note', message: 'without a template the injector writes the KV version 2 response (data: map[...] and metadata: map[...]); Courier writes the secret\'s data, one "key: value" line per key' }]);

test('the settings the class needs are read', (t) => {
  const config = readInjectorAnnotations({ ...BASE, [`${P}service`]: 'https://v:8200', [`${P}auth-path`]: '/auth/k8s-east/', [`${P}namespace`]: 'ns1', [`${P}secret-volume-path`]: '/etc/secrets', [`${P}agent-inject-containers`]: 'app, worker', [`${P}agent-init-first`]: 'True' });
  t.like(config, { inject: true, role: 'app', address: 'https://v:8200', authMount: 'k8s-east', namespace: 'ns1', volumePath: '/etc/secrets', containers: ['app', 'worker'], initContainers: true });
});

test('agent-inject is read as Go\'s ParseBool reads it', (t) => {
  for (const value of ['true', 'TRUE', 'True', 't', '1']) t.true(readInjectorAnnotations({ [`${P}agent-inject`]: value }).inject, value);
  for (const value of ['false', 'yes', 'on', '']) t.false(readInjectorAnnotations({ [`${P}agent-inject`]: value }).inject, value);
});

test('the default templates are the injector\'s', (t) => {
  t.is(readInjectorAnnotations(BASE).secrets[0]?.template, '{{ with secret "kv/db" }}{{ range $k, $v := .Data }}{{ $k }}: {{ $v }}\n{{ end }}{{ end }}');
  t.is(readInjectorAnnotations({ ...BASE, [`${P}agent-inject-default-template`]: 'json' }).secrets[0]?.template, '{{ with secret "kv/db" }}{{ .Data | toJSON }}\n{{ end }}');
  t.true(readInjectorAnnotations(BASE).secrets[0]?.defaulted);
});

test('a file name from agent-inject-file loses a leading slash', (t) => {
  t.is(readInjectorAnnotations({ ...BASE, [`${P}agent-inject-file-db`]: '/conf/db.ini' }).secrets[0]?.file, 'conf/db.ini');
});
