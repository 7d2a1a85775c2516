import test from 'ava';
import fc from 'fast-check';
import { DEFAULT_SECRET_MANAGER_ENDPOINTS, endpointFor, formatSecretVersionName, parseSecretVersionName, splitHostPort } from '../../../src/stores/gcp/locator.ts';

test('parses a global name with a version', (t) => {
  t.deepEqual(parseSecretVersionName('projects/p1/secrets/db/versions/3'), { project: 'p1', secret: 'db', version: '3' });
});

test('parses a regional name and routes it to its region', (t) => {
  const name = parseSecretVersionName('projects/p1/locations/us-central1/secrets/db/versions/latest');
  t.deepEqual(name, { project: 'p1', location: 'us-central1', secret: 'db', version: 'latest' });
  if ('error' in name) return;
  t.is(endpointFor(name, DEFAULT_SECRET_MANAGER_ENDPOINTS), 'secretmanager.us-central1.rep.googleapis.com');
});

test('routes a global name to the global endpoint', (t) => {
  const name = parseSecretVersionName('projects/p1/secrets/db');
  if ('error' in name) return t.fail(name.error);
  t.is(name.version, 'latest');
  t.is(endpointFor(name, DEFAULT_SECRET_MANAGER_ENDPOINTS), 'secretmanager.googleapis.com');
});

test('takes the version from the object when the name has none', (t) => {
  t.deepEqual(parseSecretVersionName('projects/p1/secrets/db', '4'), { project: 'p1', secret: 'db', version: '4' });
});

const invalid = test.macro((t, locator: string, version: string | undefined, expected: string) => {
  t.deepEqual(parseSecretVersionName(locator, version), { error: expected });
});
test('refuses two different versions', invalid, 'projects/p1/secrets/db/versions/2', '3', '"projects/p1/secrets/db/versions/2" names version 2 but the object asks for version 3; give the version in one place');
test('refuses a bad secret ID', invalid, 'projects/p1/secrets/db.prod/versions/1', undefined, '"db.prod" in "projects/p1/secrets/db.prod/versions/1" is not a valid secret ID (letters, digits, "-" and "_", at most 255)');
test('refuses a bad location', invalid, 'projects/p1/locations/US/secrets/db/versions/1', undefined, '"US" in "projects/p1/locations/US/secrets/db/versions/1" is not a valid location such as "us-central1"');
test('refuses version 0', invalid, 'projects/p1/secrets/db/versions/0', undefined, '"0" is not a secret version; use a version number or "latest"');

test('formats what it parses back to the same name', (t) => {
  const segment = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/);
  t.notThrows(() => fc.assert(
    fc.property(segment, fc.option(segment, { nil: undefined }), segment, fc.oneof(fc.constant('latest'), fc.integer({ min: 1, max: 1e6 }).map(String)), (project, location, secret, version) => {
      const locator = `projects/${project}/${location === undefined ? '' : `locations/${location}/`}secrets/${secret}/versions/${version}`;
      const parsed = parseSecretVersionName(locator);
      return !('error' in parsed) && formatSecretVersionName(parsed) === locator;
    }),
  ));
});

test('splits host and port, defaulting to 443', (t) => {
  t.deepEqual(splitHostPort('secretmanager.googleapis.com'), { host: 'secretmanager.googleapis.com', port: 443 });
  t.deepEqual(splitHostPort('127.0.0.1:8085'), { host: '127.0.0.1', port: 8085 });
  t.deepEqual(splitHostPort('[::1]:9000'), { host: '::1', port: 9000 });
});
