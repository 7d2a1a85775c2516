/** Import rules of Courier's source tree, checked by `npm test` (docs/architecture.md). */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'No module may import itself through others: folders form layers (docs/architecture.md).',
      from: {},
      to: { circular: true },
    },
    {
      name: 'store-internals-stay-inside',
      severity: 'error',
      comment: 'Outside src/stores/, a store is reached only through src/stores/registry.ts and the shared interfaces beside it, never its own folder.',
      from: { path: '^src/', pathNot: '^src/stores/' },
      to: { path: '^src/stores/[^/]+/' },
    },
    {
      name: 'one-store-does-not-import-another',
      severity: 'error',
      comment: 'A store folder imports shared code, never another store folder.',
      from: { path: '^src/stores/([^/]+)/' },
      to: { path: '^src/stores/[^/]+/', pathNot: '^src/stores/$1/' },
    },
    {
      name: 'stores-do-not-reach-up',
      severity: 'error',
      comment: 'Stores use shared code (errors, identity, spc readers, kube interfaces, output path rules); the server, CLI, pipeline and fetch layer use stores, not the other way round.',
      from: { path: '^src/stores/' },
      to: { path: '^src/(server|cli|pipeline|fetch)/' },
    },
    {
      name: 'planning-names-no-store',
      severity: 'error',
      comment: 'Planning, fetching, output and the pipeline learn about stores from the catalog they are given.',
      from: { path: '^src/(spc|fetch|output|transform|pipeline|identity|kube)/' },
      to: { path: '^src/stores/', pathNot: '^src/stores/backend\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|dist-check)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
