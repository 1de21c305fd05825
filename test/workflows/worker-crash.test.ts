// A first crash test: kill -9 the worker process mid-batch, start another, the batch finishes
// with every job passed exactly once.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseStatusFile } from '../../core/status';
import { Harness, connectTestServer, sealedFor, startBatch, waitFor } from '../support/harness';
import { OllamaTestServer } from '../support/ollama-test-server';
import { Spawned, spawnCli } from '../support/processes';
import { makeProject, simpleJob } from '../support/project';
import { contentFor, isVerification, jobOf, passingReplies } from '../support/replies';

let h: Harness;
let ollama: OllamaTestServer;
const spawned: Spawned[] = [];

beforeAll(async () => {
  h = await connectTestServer();
  ollama = await new OllamaTestServer().start();
});
afterAll(async () => {
  for (const s of spawned) s.child.kill('SIGKILL');
  await ollama.stop();
  await h.close();
});

test('kill -9 of the worker mid-generation: a new worker finishes the batch, every job passes once', async () => {
  ollama.respond = passingReplies({ chunks: 40, tokenDelayMs: 25 });
  const ids = ['j1', 'j2', 'j3', 'j4', 'j5', 'j6'];
  const root = makeProject({ ollamaUrl: ollama.url, jobs: Object.fromEntries(ids.map((id) => [id, simpleJob(id)])), ollamaToml: 'parallel = 3', toml: '\n[batch]\nmax_concurrent = 3\n' });
  const env = { TEMPORAL_ADDRESS: h.address };

  const first = spawnCli(['--path', root, 'worker'], env);
  spawned.push(first);
  // The CLI's workers seal payloads with the project's key: the batch is started sealed too.
  const { handle } = await startBatch(await sealedFor(h, root), root);
  await waitFor(() => ollama.inFlight >= 2, 30_000, 'generations in flight');
  first.child.kill('SIGKILL');
  await first.exited;
  const callsAtCrash = ollama.calls().length;

  const second = spawnCli(['--path', root, 'worker'], env);
  spawned.push(second);
  const result = await handle.result();
  second.child.kill('SIGTERM');
  await second.exited;

  expect(result.totals).toMatchObject({ total: 6, passed: 6, failed: 0, skipped: 0, cancelled: 0 });
  const entries = parseStatusFile(readFileSync(path.join(root, 'jobs/_jobstatus.json'), 'utf8'));
  expect(entries.map((e) => [e.id, e.status])).toEqual(ids.map((id) => [id, 'pass']));
  for (const id of ids) expect(readFileSync(path.join(root, 'out', `${id}.txt`), 'utf8')).toBe(`${contentFor(id)}\n`);
  // The interrupted generations were retried by the second worker.
  expect(ollama.calls().length).toBeGreaterThan(callsAtCrash);
  const generations = ollama.calls().filter((c) => !isVerification(c));
  const completedPerJob = new Map<string, number>();
  for (const c of generations.filter((g) => g.completed)) completedPerJob.set(jobOf(c), (completedPerJob.get(jobOf(c)) ?? 0) + 1);
  for (const id of ids) expect(completedPerJob.get(id)).toBeGreaterThanOrEqual(1);
});
