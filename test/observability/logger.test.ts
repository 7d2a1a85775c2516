import test from 'ava';
import { captureLogs } from '../helpers/log-capture.ts';

test('censors secret-bearing field names at any depth and in any case', (t) => {
  const { logger, lines } = captureLogs('info');
  logger.info({ outer: { inner: { token: 'tok-123', Password: 'pw-456', keep: 'visible' }, list: [{ authorization: 'Bearer abc' }] } }, 'nested');
  const line = lines.join('\n');
  for (const secret of ['tok-123', 'pw-456', 'Bearer abc']) t.false(line.includes(secret), secret);
  t.true(line.includes('"keep":"visible"'));
});

test('logs an error as its name, message and stack only', (t) => {
  const { logger, lines } = captureLogs('info');
  const error = Object.assign(new TypeError('the call failed'), { response: { headers: { 'x-amz-security-token': 'session-789' }, body: 'secret-body' }, config: { password: 'pw' } });
  logger.error({ err: error }, 'unexpected');
  const entry = JSON.parse(lines[0] ?? '{}') as { err?: Record<string, unknown> };
  t.deepEqual(Object.keys(entry.err ?? {}).sort(), ['message', 'name', 'stack']);
  t.is(entry.err?.['name'], 'TypeError');
  t.false((lines[0] ?? '').includes('session-789'));
  t.false((lines[0] ?? '').includes('secret-body'));
});
