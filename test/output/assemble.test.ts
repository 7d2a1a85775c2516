import test from 'ava';
import { status } from '@grpc/grpc-js';
import type { FetchResult } from '../../src/stores/backend.ts';
import { CourierError, NotFoundError, PermissionError } from '../../src/errors/courier-error.ts';
import { assembleOutput, EMPTY_MOUNT_VERSION, totalBytes } from '../../src/output/assemble.ts';
import type { ObjectSpec } from '../../src/spc/types.ts';

const encoder = new TextEncoder();

function object(index: number, fields: Partial<ObjectSpec> = {}): ObjectSpec {
  return { id: `objects[${index}]`, store: 'file', locator: `s${index}`, storeParams: {}, path: `f${index}`, mode: 0o400, encoding: 'utf-8', optional: false, ...fields };
}

const found = (contents: string, version = 'v1'): FetchResult => ({ ok: true, contents: encoder.encode(contents), version });
const missing = (locator: string): FetchResult => ({ ok: false, error: new NotFoundError(`no secret "${locator}"`) });

function assemble(pairs: ReadonlyArray<readonly [ObjectSpec, FetchResult | undefined]>) {
  const results = new Map<ObjectSpec, FetchResult>();
  for (const [spec, result] of pairs) if (result) results.set(spec, result);
  return assembleOutput(
    pairs.map(([spec]) => spec),
    results,
  );
}

const fails = test.macro({
  exec(t, pairs: ReadonlyArray<readonly [ObjectSpec, FetchResult | undefined]>, code: status, message: string) {
    const error = t.throws(() => assemble(pairs), { instanceOf: CourierError });
    t.is(error?.message, message);
    t.is(error?.grpcCode, code);
  },
  title: (given) => `fails the mount when ${given ?? ''}`,
});

test('returns every file with its mode and one version per file', (t) => {
  const a = object(0, { path: 'db/config.json', mode: 0o440 });
  const b = object(1);
  const output = assemble([
    [a, found('{"p":1}', 'sha256-aaa')],
    [b, found('token', '7')],
  ]);
  t.deepEqual(output.files, [
    { path: 'db/config.json', mode: 0o440, contents: encoder.encode('{"p":1}') },
    { path: 'f1', mode: 0o400, contents: encoder.encode('token') },
  ]);
  t.deepEqual(output.versions, [
    { id: 'db/config.json', version: 'sha256-aaa' },
    { id: 'f1', version: '7' },
  ]);
  t.deepEqual(output.skipped, []);
});

test('gives files extracted from one secret the secret version', (t) => {
  const secret = found('{"user":"admin","password":"pw"}', 'v9');
  const output = assemble([
    [object(0, { path: 'user', extract: { kind: 'jsonKey', key: 'user', field: 'jsonKey' } }), secret],
    [object(1, { path: 'password', extract: { kind: 'jsonKey', key: 'password', field: 'jsonKey' } }), secret],
  ]);
  t.deepEqual(
    output.files.map((file) => new TextDecoder().decode(file.contents)),
    ['admin', 'pw'],
  );
  t.deepEqual(output.versions, [
    { id: 'user', version: 'v9' },
    { id: 'password', version: 'v9' },
  ]);
});

test('reports the version under the id a dialect chose, else under the path', (t) => {
  const output = assemble([
    [object(0, { path: 'db', versionId: 'secret/db' }), found('x', 'abc')],
    [object(1, { path: 'other' }), found('y', 'def')],
  ]);
  t.deepEqual(output.versions, [{ id: 'secret/db', version: 'abc' }, { id: 'other', version: 'def' }]);
});

test('decodes after extracting', (t) => {
  const output = assemble([[object(0, { extract: { kind: 'jsonKey', key: 'k', field: 'jsonKey' }, encoding: 'base64' }), found('{"k":"aGk="}')]]);
  t.deepEqual(new Uint8Array(output.files[0]?.contents ?? []), encoder.encode('hi'));
});

test('skips an optional object whose secret is missing', (t) => {
  const output = assemble([
    [object(0), found('a')],
    [object(1, { optional: true }), missing('s1')],
  ]);
  t.deepEqual(
    output.files.map((file) => file.path),
    ['f0'],
  );
  t.deepEqual(output.versions, [{ id: 'f0', version: 'v1' }]);
  t.deepEqual(output.skipped, ['objects[1]']);
});

test('skips an optional object whose key is missing', (t) => {
  const output = assemble([
    [object(0), found('a')],
    [object(1, { optional: true, extract: { kind: 'jsonKey', key: 'absent', field: 'jsonKey' } }), found('{"other":1}')],
  ]);
  t.deepEqual(output.skipped, ['objects[1]']);
  t.is(output.files.length, 1);
});

test('answers the placeholder version when every object was optional and missing', (t) => {
  const output = assemble([
    [object(0, { optional: true }), missing('s0')],
    [object(1, { optional: true, extract: { kind: 'yamlKey', key: 'x', field: 'yamlKey' } }), found('y: 1')],
  ]);
  t.deepEqual(output.files, []);
  t.deepEqual(output.versions, [EMPTY_MOUNT_VERSION]);
  t.deepEqual(EMPTY_MOUNT_VERSION, { id: 'courier/no-objects-found', version: '0' });
  t.deepEqual(output.skipped, ['objects[0]', 'objects[1]']);
});

test('a required secret is missing', fails, [
  [object(0), found('a')],
  [object(1), missing('s1')],
], status.NOT_FOUND, 'objects[1]: no secret "s1"');

test('an optional object is refused rather than missing', fails, [
  [object(0, { optional: true }), { ok: false, error: new PermissionError('access denied') }],
], status.PERMISSION_DENIED, 'objects[0]: access denied');

test('an optional object holds invalid JSON', fails, [
  [object(0, { optional: true, extract: { kind: 'jsonKey', key: 'k', field: 'jsonKey' } }), found('not json')],
], status.INVALID_ARGUMENT, 'objects[0].jsonKey: the secret is not valid JSON');

test('a value does not decode', fails, [
  [object(0, { encoding: 'hex' }), found('xyz')],
], status.INVALID_ARGUMENT, 'objects[0].encoding: the value is not valid hex');

test('an object was not fetched', fails, [[object(0), undefined]], status.NOT_FOUND, 'objects[0]: was not fetched');

test('a backend error already names its field', fails, [
  [object(0), { ok: false, error: new NotFoundError('gone', { field: 'objects[0].version' }) }],
], status.NOT_FOUND, 'objects[0].version: gone');

test('two objects fail', fails, [
  [object(0), found('a')],
  [object(1), missing('s1')],
  [object(2), { ok: false, error: new PermissionError('denied') }],
], status.NOT_FOUND, 'objects[1]: no secret "s1" (and 1 more object failed)');

test('three objects fail', fails, [
  [object(0, { encoding: 'base64' }), found('!!')],
  [object(1), missing('s1')],
  [object(2), missing('s2')],
], status.INVALID_ARGUMENT, 'objects[0].encoding: the value is not valid base64 (and 2 more objects failed)');

test('keeps the first failure kind and cause when counting the others', (t) => {
  const first = new NotFoundError('no secret "s0"', { field: 'objects[0]' });
  const error = t.throws(() => assemble([
    [object(0), { ok: false, error: first }],
    [object(1), missing('s1')],
  ]));
  t.is(error?.name, 'NotFoundError');
  t.is(error?.cause, first);
  t.is((error as CourierError | undefined)?.field, 'objects[0]');
});

test('counts bytes of contents and paths', (t) => {
  t.is(totalBytes([]), 0);
  t.is(totalBytes([{ path: 'ab', mode: 0o400, contents: encoder.encode('xyz') }]), 3 + 2 + 16);
});
