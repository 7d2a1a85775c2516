import test from 'ava';
import { parse } from 'yaml';
import { mayHoldTemplate } from '../../../src/transform/template/engine-loader.ts';

test('a class may hold a template when a parameter names the key, spelt out or escaped; a plain class does not', (t) => {
  t.true(mayHoldTemplate({ objects: '- path: out\n  template: "{{ db }}"' }));
  t.true(mayHoldTemplate({ objects: '- {source: "file:db", path: db}', 'courier.templates': '- path: x' }));
  const escaped = '- path: out\n  "\\x74emplate": "{{ db }}"\n  inputs: {db: {source: "file:db"}}';
  t.deepEqual(Object.keys((parse(escaped) as Array<Record<string, unknown>>)[0] ?? {}), ['path', 'template', 'inputs'], 'YAML reads the escaped key as template');
  t.true(mayHoldTemplate({ objects: escaped }));
  t.false(mayHoldTemplate({ objects: '- {source: "file:db", path: db.txt, jsonKey: password}', region: 'eu-west-1' }));
});
