#!/usr/bin/env node
// `npm run lint`: ESLint from lint/ (its own install: typescript-eslint needs TypeScript < 6.1,
// the project builds with TypeScript 7). Fails with the install command when it is missing.
const { spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const eslint = path.join(root, 'lint', 'node_modules', 'eslint', 'bin', 'eslint.js');
if (!existsSync(eslint)) {
  console.error('ESLint is not installed; install it with: npm ci --prefix lint');
  process.exit(1);
}
const r = spawnSync(process.execPath, [eslint, '-c', path.join('lint', 'eslint.config.mjs'), '--max-warnings', '0', '.', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
