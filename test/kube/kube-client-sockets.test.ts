import { writeFile } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { createKubeClient } from '../../src/kube/kube-client.ts';
import { toKubeError } from '../../src/kube/kube-errors.ts';
import { kubeconfigText } from '../fakes/kube-api-server.ts';
import { tempDir } from '../helpers/temp-dir.ts';

// Kept-alive connections the server closes: a raw TCP server that answers HTTP/1.1 by hand and resets
// a connection at the request the test chooses.

const ANSWER = 'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: keep-alive\r\n\r\n{}';

/** A server resetting the connection at its `resetAt`-th request (1 = the first); returns a kubeconfig for it and its connection count. */
async function resettingServer(t: ExecutionContext, resetAt: number): Promise<{ kubeconfig: string; connections: () => number }> {
  let connections = 0;
  const server = createServer((socket: Socket) => {
    connections += 1;
    let requests = 0;
    socket.on('data', (chunk: Buffer) => {
      // One request per chunk is enough here: the client sends small GETs, one at a time.
      if (!chunk.toString('latin1').includes('\r\n\r\n')) return;
      requests += 1;
      if (requests === resetAt) socket.resetAndDestroy();
      else socket.write(ANSWER);
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const dir = await tempDir(t, 'courier-kube-sockets-');
  const kubeconfig = join(dir, 'kubeconfig');
  await writeFile(kubeconfig, kubeconfigText(`http://127.0.0.1:${(server.address() as { port: number }).port}`, 'token'));
  return { kubeconfig, connections: () => connections };
}

test('a kept-alive connection reset when it is reused sends the call again on a new one', async (t) => {
  const server = await resettingServer(t, 2);
  const kube = createKubeClient({ kubeconfig: server.kubeconfig });
  t.deepEqual(await kube.request({ method: 'GET', path: '/version' }), {});
  t.deepEqual(await kube.request({ method: 'GET', path: '/version' }), {});
  t.is(server.connections(), 2);
});

test('a new connection reset before an answer fails the call with the socket\'s code', async (t) => {
  const server = await resettingServer(t, 1);
  const error = await t.throwsAsync(createKubeClient({ kubeconfig: server.kubeconfig }).request({ method: 'GET', path: '/version' }));
  t.is(toKubeError(error, { verb: 'get', resource: 'secrets', namespace: 'team-a', name: 'db' }).message, 'cannot reach the Kubernetes API to get secrets team-a/db: ECONNRESET');
  t.is(server.connections(), 1);
});
