import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { validateObject } from './kube-schema.ts';
import { readObjects, ROOT } from './render.ts';

const run = promisify(execFile);
const EXAMPLES = 'manifests/examples';
const files = readdirSync(join(ROOT, EXAMPLES)).filter((name) => name.endsWith('.yaml')).sort();

test('there is an example for each store and each dialect', (t) => {
  t.deepEqual(files, ['aws-dialect.yaml', 'azure-dialect.yaml', 'gcp-dialect.yaml', 'native-aws-sm.yaml', 'native-aws-ssm.yaml', 'native-azure-kv.yaml', 'native-file.yaml', 'native-gcp-sm.yaml', 'native-mixed.yaml', 'vault-dialect.yaml', 'vault-legacy-dialect.yaml', 'vault-native.yaml', 'vault-openbao-dialect.yaml']);
});

const matchesSchemas = test.macro({
  async exec(t, file: string) {
    const objects = await readObjects(join(EXAMPLES, file));
    const classes = objects.filter((object) => object.kind === 'SecretProviderClass').map((object) => object.metadata.name);
    const pods = objects.filter((object) => object.kind === 'Pod');
    t.true(classes.length > 0 && pods.length === classes.length, 'one Pod per SecretProviderClass');
    for (const object of objects) t.deepEqual(await validateObject(object), [], `${object.kind} ${object.metadata.name}`);
    for (const pod of pods) {
      const [volume] = (pod['spec'] as { volumes: Array<{ csi: { driver: string; readOnly: boolean; volumeAttributes: { secretProviderClass: string } } }> }).volumes;
      t.like(volume?.csi, { driver: 'secrets-store.csi.k8s.io', readOnly: true });
      t.true(classes.includes(volume?.csi.volumeAttributes.secretProviderClass ?? ''), `${pod.metadata.name} mounts a class of the same file`);
    }
  },
  title: (_, file: string) => `${file} holds SecretProviderClasses and Pods that match their schemas`,
});

const passesValidate = test.macro({
  async exec(t, file: string) {
    const { stdout } = await run(join(ROOT, 'node_modules/.bin/node'), [join(ROOT, 'src/cli/main.ts'), 'validate', join(ROOT, EXAMPLES, file)], { cwd: ROOT, timeout: 30_000 }).catch((error: { stderr?: string; stdout?: string }) => {
      t.fail(`courier validate ${file}:\n${error.stderr ?? ''}`);
      return { stdout: error.stdout ?? '' };
    });
    t.regex(stdout, /no problems found/);
  },
  title: (_, file: string) => `courier validate accepts ${file}`,
});

for (const file of files) {
  test(matchesSchemas, file);
  test(passesValidate, file);
}
