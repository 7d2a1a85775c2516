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

test('without a destination, each line is on stdout as soon as it is logged: all of them survive a SIGKILL right after', async (t) => {
  const { spawn } = await import('node:child_process');
  const logger = new URL('../../src/observability/logger.ts', import.meta.url).href;
  // The child logs and is killed in the same tick: asynchronous writes would still be queued behind the first.
  const script = `const { createLogger } = await import(${JSON.stringify(logger)}); const log = createLogger('info'); for (let n = 0; n < 100; n += 1) log.info({ n }, 'last words'); process.kill(process.pid, 'SIGKILL');`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const signal = await new Promise((resolve) => child.once('close', (_code, killed) => resolve(killed)));
  t.is(signal, 'SIGKILL');
  t.is(output.split('\n').filter((line) => line.includes('"msg":"last words"')).length, 100);
});
