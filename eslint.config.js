// Type-aware linting: a server that drops a promise drops a mount.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'dist-check/**', 'node_modules/**', 'run/**', 'manifests/**', '.venv/**', 'test/e2e/driver/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: { allowDefaultProject: ['*.js', '*.cjs', 'bench/*.mjs', 'bench/lib/*.mjs', 'scripts/*.mjs'] }, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      'no-console': 'error',
    },
  },
  { files: ['**/*.js', '**/*.mjs', '**/*.cjs'], ...tseslint.configs.disableTypeChecked },
  // Plain Node.js scripts: the Node globals they use.
  { files: ['scripts/*.mjs', 'bench/lib/*.mjs'], languageOptions: { globals: { process: 'readonly', URL: 'readonly', Buffer: 'readonly' } } },
  { files: ['**/*.cjs'], languageOptions: { sourceType: 'commonjs', globals: { module: 'writable' } } },
  { files: ['bench/**', 'scripts/**'], rules: { 'no-console': 'off' } },
);
