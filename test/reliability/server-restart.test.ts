// The embedded Temporal server is stopped and started again mid-batch (its SQLite file keeps
// the state): the batch resumes and finishes.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseStatusFile } from '../../core/status';
import { OllamaTestServer } from '../support/ollama-test-server';
import { Spawned, runCli, spawnCli } from '../support/processes';
import { makeProject, simpleJob } from '../support/project';
import { passingReplies } from '../support/replies';
import { waitFor } from '../support/harness';

let ollama: OllamaTestServer;
let root: string | undefined;
const spawned: Spawned[] = [];
const env = { TEMPORAL_ADDRESS: '' };
beforeAll(async () => {
  ollama = await new OllamaTestServer().start();
});
afterAll(async () => {
  for (const s of spawned) s.child.kill('SIGKILL');
  if (root) await runCli(['--path', root, 'server', 'stop'], env);
  await ollama.stop();
});

test('stop and restart the embedded server mid-batch: the batch resumes from its SQLite file', async () => {
  ollama.respond = passingReplies({ chunks: 40, tokenDelayMs: 25 });
  const ids = ['r1', 'r2', 'r3', 'r4', 'r5', 'r6'];
  root = makeProject({ ollamaUrl: ollama.url, jobs: Object.fromEntries(ids.map((id) => [id, simpleJob(id)])), toml: '\n[batch]\nmax_concurrent = 2\n' });
  const run = spawnCli(['--path', root, 'run'], env);
  spawned.push(run);
  await waitFor(() => ollama.calls().length >= 3, 60_000, 'the batch under way');
  const before = ollama.calls().length;
  expect((await runCli(['--path', root, 'server', 'stop'], env)).output).toContain('stopped');
  await new Promise((r) => setTimeout(r, 1000));
  expect((await runCli(['--path', root, 'server', 'start'], env)).code).toBe(0);
  // The running `worksplit run` reconnects on its own; give it the chance, then attach anyway.
  const code = await Promise.race([run.exited, new Promise<null>((r) => setTimeout(() => r(null), 45_000))]);
  if (code === null) run.child.kill('SIGKILL');
  const again = await runCli(['--path', root, 'run'], env);
  expect(again.code).toBe(0);
  const entries = parseStatusFile(readFileSync(path.join(root, 'jobs/_jobstatus.json'), 'utf8'));
  expect(entries.map((e) => [e.id, e.status])).toEqual(ids.map((id) => [id, 'pass']));
  expect(ollama.calls().length).toBeGreaterThan(before);
  // The batch itself was not started over: its first calls are not all repeated.
  expect(ollama.calls().filter((c) => !c.user.includes('[GENERATED OUTPUT]')).length).toBeLessThan(ids.length * 2);
}, 200_000);
