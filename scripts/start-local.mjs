// `npm start`: serves Courier on ./run/courier.sock with the example local store, and says how to try it.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = ['dist/cli/main.js', 'serve', '--socket-dir', 'run', '--local-store', 'examples/local-store', ...process.argv.slice(2)];

process.stderr.write(
  [
    'Courier is starting on ./run/courier.sock with the example local store in examples/local-store.',
    'Try it from another terminal:',
    '  npx courier mount --socket run/courier.sock --spc examples/demo-spc.yaml --target /tmp/courier-demo && ls -l /tmp/courier-demo/',
    '',
  ].join('\n'),
);
const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
