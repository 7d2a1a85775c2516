import test from 'ava';
import { defaultPath, parseSource } from '../../src/spc/sources.ts';
import { CATALOG } from '../helpers/catalog.ts';

const derives = test.macro({
  exec(t, source: string, path: string) {
    const parsed = parseSource(source, CATALOG);
    if ('error' in parsed) {
      t.fail(parsed.error);
      return;
    }
    t.is(defaultPath(parsed.source, parsed.locator), path);
  },
  title: (_given, source: string, path: string) => `derives ${path} from ${source}`,
});

test(derives, 'file:demo/db.json', 'demo/db.json');
test(derives, 'aws-sm:arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-pass-AbCdEf', 'db-pass-AbCdEf');
test(derives, 'aws-sm:prod/app/db', 'db');
test(derives, 'aws-ssm:/prod/app/db/', 'db');
test(derives, 'aws-ssm:plain', 'plain');
test(derives, 'gcp-sm:projects/p/secrets/api-key', 'api-key');
test(derives, 'gcp-sm:projects/p/secrets/api-key/versions/latest', 'api-key');

test('keeps colons of the locator', (t) => {
  const parsed = parseSource('aws-sm:arn:aws:secretsmanager:eu-west-1:1:secret:x', CATALOG);
  t.deepEqual('error' in parsed ? parsed : [parsed.source.name, parsed.locator], ['aws-sm', 'arn:aws:secretsmanager:eu-west-1:1:secret:x']);
});

test('knows exactly the registered source names', (t) => {
  t.deepEqual([...CATALOG.sources.keys()], ['file', 'aws-sm', 'aws-ssm', 'gcp-sm', 'vault', 'azure-kv']);
  t.deepEqual(parseSource('File:x', CATALOG), { error: 'unknown store "File"; expected one of file, aws-sm, aws-ssm, gcp-sm, vault, azure-kv' });
  t.deepEqual(parseSource('toString:x', CATALOG), { error: 'unknown store "toString"; expected one of file, aws-sm, aws-ssm, gcp-sm, vault, azure-kv' });
});

test('falls back to the locator when it has no name segment', (t) => {
  const source = CATALOG.sources.get('aws-ssm');
  t.is(source && defaultPath(source, '/'), '/');
});
