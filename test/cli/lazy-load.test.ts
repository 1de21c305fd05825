// Read-only commands load only what they use: never the Temporal worker (a native module and
// its SDK, hundreds of ms), and the client only when there is a server to ask. Which packages a
// command loaded is read from the process itself (test/support/loaded-packages.js).
import { readFileSync } from 'node:fs';
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

test.each([['status'], ['validate'], ['deps'], ['preview', 'a'], ['readme'], ['--help']])('`%s` loads neither the Temporal worker nor the client', async (...args) => {
  const loaded = await packagesLoadedBy(args);
  expect(loaded).toContain('commander');
  expect(loaded).not.toContain('@temporalio/worker');
  expect(loaded).not.toContain('@temporalio/client');
});
