// Read-only commands load only what they use: never the Temporal worker (a native module and
// its SDK, hundreds of ms), and the client only when there is a server to ask. Which packages a
// command loaded is read from the process itself (test/support/loaded-packages.js).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runCli } from '../support/processes';
import { makeProject, simpleJob } from '../support/project';

const PRELOAD = path.join(__dirname, '..', 'support', 'loaded-packages.js');

async function packagesLoadedBy(args: string[]): Promise<string[]> {
  const root = makeProject({ ollamaUrl: 'http://127.0.0.1:9', jobs: { a: simpleJob('a'), b: simpleJob('b', { depends_on: ['a'] }) } });
  const file = path.join(root, 'loaded.txt');
  // No server configured and none embedded for this project: nothing to connect to.
  const r = await runCli(['--path', root, ...args], { NODE_OPTIONS: `--require ${PRELOAD}`, LOADED_PACKAGES_FILE: file, TEMPORAL_ADDRESS: '' });
  expect(r.code).toBe(0);
  return readFileSync(file, 'utf8').split('\n');
}

test.each([['status'], ['validate'], ['deps'], ['preview', 'a'], ['readme'], ['--help']])('`%s` loads neither the Temporal worker nor the client, and gray-matter only when it reads job files', async (...args) => {
  const loaded = await packagesLoadedBy(args);
  expect(loaded).toContain('commander');
  expect(loaded).not.toContain('@temporalio/worker');
  expect(loaded).not.toContain('@temporalio/client');
  // Nor fetch: asking Ollama for the model's context (validate, preview) goes over node:http,
  // since setting up fetch costs a command ~50 ms.
  expect(loaded).not.toContain('node:undici');
  // gray-matter (job files' front matter) only where job files are read.
  const readsJobs = ['validate', 'deps', 'preview'].includes(args[0]);
  expect(loaded.includes('gray-matter')).toBe(readsJobs);
  // Nor esprima, which gray-matter's own js-yaml 3 would load (job YAML is read with js-yaml 4).
  expect(loaded).not.toContain('esprima');
});

test('the marker for fetch is real: a process that calls fetch is listed with node:undici', () => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'loaded-')), 'loaded.txt');
  const env = { ...process.env, LOADED_PACKAGES_FILE: file };
  execFileSync(process.execPath, ['--require', PRELOAD, '-e', 'fetch("http://127.0.0.1:9").catch(() => {})'], { env });
  expect(readFileSync(file, 'utf8').split('\n')).toContain('node:undici');
  execFileSync(process.execPath, ['--require', PRELOAD, '-e', '0'], { env });
  expect(readFileSync(file, 'utf8').split('\n')).not.toContain('node:undici');
});
