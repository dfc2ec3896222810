import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';

// Layering is enforced here: pure packages may not reach for I/O or for the layers above them.
const noIo = ['node:fs', 'node:fs/promises', 'node:net', 'node:http', 'node:child_process', 'pg', '@electric-sql/pglite'];

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'docs/screenshots/**', 'data/**', 'coverage/**', 'bench/.baseline/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // Tests read JSON replies whose shape the assertions check.
    files: ['**/test/**/*.ts', 'e2e/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['packages/fhir/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [...noIo, '@confide/store', '@confide/server'] }],
    },
  },
  {
    files: ['packages/store/src/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: ['@confide/server', '@confide/auth'] }] },
  },
  {
    // Accounts are used by the server and the CLI alike: no HTTP, no server.
    files: ['packages/auth/src/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: ['node:http', 'node:https', 'http', 'https', '@confide/server'] }] },
  },
  {
    files: ['packages/policy/src/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [...noIo, '@confide/store', '@confide/server'] }] },
  },
  {
    // Domain rules the browser app imports too: no Node built-ins, no I/O, no other Confide package.
    files: ['packages/notes/src/**/*.ts', 'packages/scheduling/src/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: noIo, patterns: ['node:*', '@confide/*'] }] },
  },
  {
    files: ['packages/demo/src/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [...noIo, '@confide/store', '@confide/server'] }] },
  },
  {
    // The web app runs in the browser: DOM globals, the rules of hooks, and no server code.
    files: ['apps/web/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
      'no-restricted-imports': ['error', { paths: [...noIo, '@confide/store', '@confide/server', '@confide/auth'] }],
    },
  },
  {
    files: ['apps/web/scripts/**/*.mjs', 'apps/web/vite.config.ts'],
    languageOptions: { globals: { ...globals.node } },
    rules: { 'no-restricted-imports': 'off' },
  },
);
