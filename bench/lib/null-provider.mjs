/**
 * The null provider: the floor of Courier's stack. Node.js and the same gRPC server and contract
 * (grpc-js, proto/ through src/server/proto.ts) on the same kind of socket, answering every Mount with a
 * fixed set of files and doing nothing else. `node bench/lib/null-provider.mjs --socket-dir DIR [--files N]`.
 * Plain JavaScript importing dist/ (build first), as Courier runs: TypeScript type stripping alone
 * would add the transpiler's memory to the floor.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { loadProviderProto } from '../../dist/server/proto.js';

const { values } = parseArgs({ options: { 'socket-dir': { type: 'string' }, files: { type: 'string', default: '10' } } });
const dir = values['socket-dir'];
if (dir === undefined) throw new Error('--socket-dir is required');
const socketPath = join(dir, 'courier.sock');

// The same ten files of about 200 bytes that the footprint case's class yields from Courier.
const answer = {
  objectVersion: Array.from({ length: Number(values.files) }, (_, index) => ({ id: `object-${index}`, version: `v${index}` })),
  files: Array.from({ length: Number(values.files) }, (_, index) => ({ path: `config/secret-${index}.json`, mode: 420, contents: Buffer.from(JSON.stringify({ user: `user-${index}`, password: 'x'.repeat(40), note: 'y'.repeat(100) })) })),
  error: null,
};

const { service } = loadProviderProto();
const server = new Server();
server.addService(service, {
  Version: (_call, callback) => callback(null, { version: 'v1alpha1', runtimeName: 'null', runtimeVersion: '0.0.0' }),
  Mount: (_call, callback) => callback(null, answer),
});
rmSync(socketPath, { force: true });
server.bindAsync(`unix:${socketPath}`, ServerCredentials.createInsecure(), (error) => {
  if (error) throw error;
});
process.once('SIGTERM', () => server.tryShutdown(() => process.exit(0)));
