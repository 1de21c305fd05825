// ESLint for worksplit, with the rules of Temporal's TypeScript samples: recommended JS and
// TypeScript rules, floating promises are errors (a forgotten await on an activity or a workflow
// API is a bug), and workflow code may not import Node built-ins or I/O modules (it runs in the
// SDK's deterministic sandbox). Run from the repository root: `npm run lint`.
import { builtinModules } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const nodeModules = builtinModules.filter((m) => !m.startsWith('_')).flatMap((m) => [m, `node:${m}`]);

export default tseslint.config(
  // examples/ are job folders for users (and the files their jobs produce), not project code.
  { ignores: ['dist/**', 'node_modules/**', 'lint/**', 'examples/**', '.demo/**', 'test/fixtures/**', '.tools/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  eslint.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: root } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // The code matches terminal escapes and refuses control characters in paths on purpose.
      'no-control-regex': 'off',
      // Commands load their modules lazily with require(): the build is CommonJS, and a dynamic
      // import() would start Node's ESM loader (10–20 ms) on every read-only command.
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...nodeModules, 'ollama', 'gray-matter', 'cross-spawn', 'proper-lockfile', '@temporalio/worker', '@temporalio/activity', '@temporalio/client'].map((name) => ({
            name,
            message: 'workflow code runs in the deterministic sandbox: put I/O in an activity',
          })),
        },
      ],
    },
  },
);
