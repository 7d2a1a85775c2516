import fc from 'fast-check';
import test from 'ava';
import { stringify } from 'yaml';
import { buildMirrorSecrets } from '../../src/kube/mirror-content.ts';
import { planMirror } from '../../src/spc/mirror-parameter.ts';
import type { ObjectSpec } from '../../src/spc/types.ts';

const OBJECT: ObjectSpec = { id: 'objects[0]', store: 'file', locator: 'a', storeParams: {}, path: 'a.txt', mode: 0o644, encoding: 'utf-8', optional: false };

test('any text as the mirror parameter plans or lists problems, never throws', (t) => {
  t.notThrows(() =>
    fc.assert(
      fc.property(fc.string(), (text) => {
        const { mirrors, issues } = planMirror({ mirror: text }, [OBJECT]);
        return issues.length > 0 || mirrors.length > 0;
      }),
      { numRuns: 300 },
    ),
  );
});

test('any YAML value as the mirror parameter plans or names a mirror field, never throws', (t) => {
  t.notThrows(() =>
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const { issues } = planMirror({ mirror: stringify(value) }, [OBJECT]);
        return issues.every((issue) => issue.field === 'mirror' || issue.field.startsWith('mirror['));
      }),
      { numRuns: 300 },
    ),
  );
});

test('any bytes in a tls mirror build or fail with a ConfigError naming the entry', (t) => {
  const { mirrors } = planMirror({ mirror: '- {secretName: s, type: kubernetes.io/tls, data: [{objectName: a.txt, key: tls.crt}, {objectName: a.txt, key: tls.key}]}' }, [OBJECT]);
  t.notThrows(() =>
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        try {
          buildMirrorSecrets(mirrors, [{ path: 'a.txt', mode: 0o644, contents: bytes }]);
          return true;
        } catch (error) {
          return error instanceof Error && error.message.startsWith('mirror[0].data[');
        }
      }),
      { numRuns: 300 },
    ),
  );
});
