/** The noisy neighbour's load, in its own process so its clients do not share the measuring one's thread. Usage: node noisy-load.ts SOCKET_PATH REQUESTS_JSON; stops on SIGTERM and prints {mounts, failed}. */
import { readFile } from 'node:fs/promises';
import { driveMounts, type WireRequest } from './load.ts';

const [socketPath, requestsFile] = process.argv.slice(2);
if (!socketPath || !requestsFile) throw new Error('usage: noisy-load.ts SOCKET_PATH REQUESTS_JSON');
const requests = JSON.parse(await readFile(requestsFile, 'utf8')) as WireRequest[];
let stopped = false;
let mounts = 0;
let failed = 0;
process.once('SIGTERM', () => (stopped = true));
await Promise.all(
  requests.map(async (request) => {
    while (!stopped) {
      const result = await driveMounts({ socketPath, request, concurrency: 2, count: 2, deadlineMs: 5_000 });
      mounts += result.completed + result.failed;
      failed += result.failed;
    }
  }),
);
process.stdout.write(`${JSON.stringify({ mounts, failed })}\n`);
