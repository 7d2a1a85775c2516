import test from 'ava';
import type { sendUnaryData, ServerUnaryCall, UntypedServiceImplementation } from '@grpc/grpc-js';
import { trackCalls } from '../../src/server/call-tracker.ts';

type Callback = sendUnaryData<unknown>;

test('a call counts as active from its start until it answers, once however often it answers', (t) => {
  const pending: Callback[] = [];
  const service: UntypedServiceImplementation = { Mount: (_call: ServerUnaryCall<unknown, unknown>, callback: Callback) => pending.push(callback) };
  const tracked = trackCalls(service);
  const answers: unknown[] = [];
  const mount = tracked.service['Mount'] as (call: unknown, callback: Callback) => void;
  mount({}, (error, value) => answers.push(error ?? value));
  mount({}, (error, value) => answers.push(error ?? value));
  t.is(tracked.active(), 2);
  pending[0]?.(null, 'files');
  t.is(tracked.active(), 1);
  pending[1]?.(new Error('failed'));
  pending[1]?.(null, 'again');
  t.is(tracked.active(), 0);
  t.deepEqual(answers.map(String), ['files', 'Error: failed', 'again']);
});
