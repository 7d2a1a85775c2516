// End-to-end tests: real peers (the driver's Go client, emulators); they build what they need first.
export default {
  files: ['test/e2e/**/*.test.ts'],
  extensions: { ts: 'module' },
  timeout: '10m',
  serial: true,
  concurrency: 1,
};
