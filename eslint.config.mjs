// Lint for the whole codebase, run by the typecheck stage of `npm test` (test/support/typecheck.mjs).
// typescript-eslint's type-aware recommended rules, plus the rules the codebase follows by hand: no floating
// promises (mark a deliberate one with `void`), no `vscode` import outside src/host, the composition root and src/extension.ts,
// exhaustive switches. See docs/ARCHITECTURE.md for the layers.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.run/**', 'test-results/**', '.vscode-test/**', 'media/**', '**/*.mjs', '**/*.js', 'test/cluster/go/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        // node:test's describe/it return promises that the runner itself awaits.
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'before', 'after', 'beforeEach', 'afterEach'] }] },
      ],
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      // A variable a closure reads before its one assignment (the composition root wires cycles this way).
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    // Fakes in tests mirror async interfaces without awaiting anything.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/require-await': 'off' },
  },
  {
    // page.evaluate() callbacks run in the browser; the tests' tsconfig has no DOM lib, so their DOM values are untyped.
    files: ['test/e2e/**/*.ts', 'test/support/workbench.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/host/**', 'src/extension.ts', 'src/compose.ts', 'src/compose/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'Only src/host, the composition root (src/compose.ts, src/compose/) and src/extension.ts may import vscode (docs/ARCHITECTURE.md).' }] }],
    },
  },
);
