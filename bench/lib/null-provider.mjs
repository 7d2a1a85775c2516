/**
 * The null provider: the floor of a Node.js provider. Node.js, a gRPC server and the contract's codec
 * (src/server/proto.ts) on the same kind of socket, answering every Mount with a fixed set of files and
 * doing nothing else. `node bench/lib/null-provider.mjs --socket-dir DIR [--files N] [--server grpc-js|courier]`:
 * the server is grpc-js (the floor the footprint targets are set against) or Courier's own
 * (src/server/grpc-unary.ts), to show what the server alone costs.
 * Plain JavaScript importing dist/ (build first), as Courier runs: TypeScript type stripping alone
 * would add the transpiler's memory to the floor.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { 'socket-dir': { type: 'string' }, files: { type: 'string', default: '10' }, server: { type: 'string', default: 'grpc-js' } } });
const dir = values['socket-dir'];
if (dir === undefined) throw new Error('--socket-dir is required');
const socketPath = join(dir, 'courier.sock');

// The same ten files of about 200 bytes that the footprint case's class yields from Courier.
const answer = {
  objectVersion: Array.from({ length: Number(values.files) }, (_, index) => ({ id: `object-${index}`, version: `v${index}` })),
  files: Array.from({ length: Number(values.files) }, (_, index) => ({ path: `config/secret-${index}.json`, mode: 420, contents: Buffer.from(JSON.stringify({ user: `user-${index}`, password: 'x'.repeat(40), note: 'y'.repeat(100) })) })),
  error: null,
};

const version = { version: 'v1alpha1', runtimeName: 'null', runtimeVersion: '0.0.0' };
rmSync(socketPath, { force: true });
if (values.server === 'courier') {
  // Imported only here, so the grpc-js floor loads nothing of Courier's server.
  const { createUnaryServer } = await import('../../dist/server/grpc-unary.js');
  const proto = await import('../../dist/server/proto.js');
  const methods = new Map([
    ['/v1alpha1.CSIDriverProvider/Version', { decode: proto.decodeVersionRequest, encode: proto.encodeVersionResponse, handle: () => version }],
    ['/v1alpha1.CSIDriverProvider/Mount', { decode: proto.decodeMountRequest, encode: proto.encodeMountResponse, handle: () => answer }],
  ]);
  const server = createUnaryServer(methods, { maxReceiveBytes: 4 * 1024 * 1024 });
  await server.listen(socketPath);
  process.once('SIGTERM', () => void server.close().then(() => process.exit(0)));
} else {
  const { Server, ServerCredentials } = await import('@grpc/grpc-js');
  const { loadProviderProto } = await import('../../dist/server/proto-client.js');
  const server = new Server();
  server.addService(loadProviderProto().service, {
    Version: (_call, callback) => callback(null, version),
    Mount: (_call, callback) => callback(null, answer),
  });
  server.bindAsync(`unix:${socketPath}`, ServerCredentials.createInsecure(), (error) => {
    if (error) throw error;
  });
  process.once('SIGTERM', () => server.tryShutdown(() => process.exit(0)));
}
