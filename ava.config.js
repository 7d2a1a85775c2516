// Unit and integration tests: TypeScript sources run directly on Node.js 26's type stripping.
export default {
  files: ['test/**/*.test.ts', '!test/e2e/**'],
  extensions: { ts: 'module' },
  timeout: '60s',
  environmentVariables: { COURIER_TEST: '1' },
};
