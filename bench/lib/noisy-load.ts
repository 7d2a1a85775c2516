/** The noisy neighbour's load, in its own process so its clients do not share the measuring one's thread. Usage: node noisy-load.ts SOCKET_PATH REQUESTS_JSON; stops on SIGTERM and prints {mounts, failed}. */
import { readFile } from 'node:fs/promises';
import { driveMounts, type WireRequest } from './load.ts';

/** Replaced in a request's attributes by a new number for every Mount: a class that is never the same twice. */
export const FRESH_CLASS = '@@fresh@@';

const [socketPath, requestsFile] = process.argv.slice(2);

async function main(): Promise<void> {
  if (!socketPath || !requestsFile) throw new Error('usage: noisy-load.ts SOCKET_PATH REQUESTS_JSON');
  const requests = JSON.parse(await readFile(requestsFile, 'utf8')) as WireRequest[];
  let stopped = false;
  let mounts = 0;
  let failed = 0;
  let fresh = 0;
  process.once('SIGTERM', () => (stopped = true));
  await Promise.all(
    requests.map(async (template) => {
      while (!stopped) {
        const request = template.attributes.includes(FRESH_CLASS) ? { ...template, attributes: template.attributes.replace(FRESH_CLASS, String((fresh += 1))) } : template;
        const result = await driveMounts({ socketPath, request, concurrency: 2, count: 2, deadlineMs: 5_000 });
        mounts += result.completed + result.failed;
        failed += result.failed;
      }
    }),
  );
  process.stdout.write(`${JSON.stringify({ mounts, failed })}\n`);
}

if (import.meta.main) await main();
