import test from 'ava';
import { defaultPath, isStoreName, parseSource } from '../../src/spc/stores.ts';
import { STORE_NAMES } from '../../src/spc/types.ts';

const derives = test.macro({
  exec(t, source: string, path: string) {
    const parsed = parseSource(source);
    if ('error' in parsed) {
      t.fail(parsed.error);
      return;
    }
    t.is(defaultPath(parsed.store, parsed.locator), path);
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
test(derives, 'vault:secret/data/app/db', 'db');

test('keeps colons of the locator', (t) => {
  t.deepEqual(parseSource('aws-sm:arn:aws:secretsmanager:eu-west-1:1:secret:x'), { store: 'aws-sm', locator: 'arn:aws:secretsmanager:eu-west-1:1:secret:x' });
});

test('knows exactly the store names', (t) => {
  t.true(STORE_NAMES.every((name) => isStoreName(name)));
  t.false(isStoreName('File'));
  t.false(isStoreName('toString'));
});

test('falls back to the locator when it has no name segment', (t) => {
  t.is(defaultPath('aws-ssm', '/'), '/');
});
