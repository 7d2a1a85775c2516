import { status } from '@grpc/grpc-js';
import test from 'ava';
import { ConfigError, NotFoundError } from '../../src/errors/courier-error.ts';
import { MAX_MESSAGE_CHARS, toGrpcStatus } from '../../src/errors/to-grpc-status.ts';

test("a Courier error keeps its code and message; anything else is INTERNAL with a message that says nothing of it", (t) => {
  t.like(toGrpcStatus(new NotFoundError('key "a" is not in the secret', { field: 'objects[0].jsonKey' })), { code: status.NOT_FOUND, unexpected: false, details: 'objects[0].jsonKey: key "a" is not in the secret' });
  t.like(toGrpcStatus(new Error('secret-value')), { code: status.INTERNAL, unexpected: true, details: 'internal error in courier; see the provider logs' });
});

test('a message longer than the limit is cut, saying how long it was', (t) => {
  const key = 'k'.repeat(100_000);
  const details = toGrpcStatus(new ConfigError('unknown key', { field: `objects[0].${key}` })).details;
  t.true(details.length <= MAX_MESSAGE_CHARS, `${details.length}`);
  t.true(details.startsWith('objects[0].kkk'));
  t.true(details.endsWith(`… (message cut; ${100_000 + 'objects[0].'.length + ': unknown key'.length} characters in all)`), details.slice(-80));
});

test('a cut never splits a character written as two UTF-16 units', (t) => {
  // The cut falls after MAX_MESSAGE_CHARS - 64 units; with one unit before it, every emoji straddles an odd boundary.
  const details = toGrpcStatus(new ConfigError(`x${'😀'.repeat(MAX_MESSAGE_CHARS)}`)).details;
  t.notThrows(() => encodeURIComponent(details));
  t.true(details.includes('… (message cut;'));
});
