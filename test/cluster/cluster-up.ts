/** Starts the cluster tier's stack and keeps it running until SIGINT/SIGTERM, so single tests can run against it. */
import { once } from 'node:events';
import { join } from 'node:path';
import { startStack, STATE_VARIABLE, writeStackState } from './harness/stack.ts';

const stateFile = process.argv[2];
if (!stateFile) {
  process.stderr.write('usage: node test/cluster/cluster-up.ts STATE.json\n');
  process.exit(2);
}
const stack = await startStack();
await writeStackState(stack, stateFile);
process.stderr.write(
  [
    `cluster-up: API server ${stack.server}, admin kubeconfig ${stack.adminKubeconfig}`,
    `cluster-up: logs in ${join(stack.dir, 'logs')}`,
    `cluster-up: run a test against it with ${STATE_VARIABLE}=${stateFile} npx ava --config ava.cluster.config.js test/cluster/<file>.test.ts`,
    'cluster-up: Ctrl-C stops it',
    '',
  ].join('\n'),
);
await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
process.stderr.write('cluster-up: stopping\n');
await stack.stop();
