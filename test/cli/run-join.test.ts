// A job file written while a batch runs: a second `run` joins it to the running batch (same
// execution), and `run --watch` joins it as it appears. Through the built CLI, as separate
// processes, on the suite's Temporal server.
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { runCli, sharedServerEnv, spawnCli } from '../support/processes';
import { useStandInModel } from '../support/servers';
import { jobText, makeProject, simpleJob } from '../support/project';
import { waitFor } from '../support/harness';
import { passingReplies } from '../support/replies';

const model = useStandInModel();

const shared = sharedServerEnv;
const addJob = (root: string, id: string) => writeFileSync(path.join(root, 'jobs', `${id}.md`), jobText(simpleJob(id), id));
const batchId = (output: string) => /(?:Started batch|Attached to the running batch) (\S+?)\.?(?:\s|$)/.exec(output)?.[1];

test('a job file added mid-batch and a second run: it passes within the same batch execution', async () => {
  // One job at a time, each call ~1 s: the batch runs for several seconds.
  model.ollama.respond = passingReplies({ latencyMs: 700 });
  const root = makeProject({ ollamaUrl: model.ollama.url, toml: '[batch]\nmax_concurrent = 1\n', jobs: { a: simpleJob('a'), b: simpleJob('b'), c: simpleJob('c') } });
  const first = spawnCli(['--path', root, 'run'], shared());
  // Once the batch has planned (its first job started), a new file is not in its plan.
  await waitFor(() => first.output().includes('▶ a started'), 60_000, 'the first job to start');
  addJob(root, 'late');
  const second = await runCli(['--path', root, 'run', '--no-worker', '--no-health-check'], shared());
  expect(second.output).toContain('Attached to the running batch');
  expect(second.output).toContain('Added to the running batch: late');
  expect(second.output).toContain('Batch done: 4 passed, 0 failed, 0 skipped, 0 cancelled (of 4).');
  expect(await first.exited).toBe(0);
  expect(first.output()).toContain('Batch done: 4 passed');
  expect(batchId(second.output)).toBe(batchId(first.output()));
  expect(readFileSync(path.join(root, 'out/late.txt'), 'utf8')).toBe('generated for late\n');
  // A run afterwards has nothing left.
  expect((await runCli(['--path', root, 'run'], shared())).output).toContain('No jobs to run');
}, 180_000);

test('run --watch joins a job file as it appears; a refused one is named with the reason', async () => {
  model.ollama.respond = passingReplies({ latencyMs: 700 });
  const root = makeProject({ ollamaUrl: model.ollama.url, toml: '[batch]\nmax_concurrent = 1\n', jobs: { a: simpleJob('a'), b: simpleJob('b'), c: simpleJob('c') } });
  const run = spawnCli(['--path', root, 'run', '--watch'], shared());
  await waitFor(() => run.output().includes('Watching jobs/') && run.output().includes('▶ a started'), 60_000, 'the run to watch jobs/ and its first job to start');
  addJob(root, 'w1');
  writeFileSync(path.join(root, 'jobs', 'w2.md'), jobText(simpleJob('w2', { depends_on: ['nope'] }), 'w2'));
  // w2 never joined the batch: every job of the batch passed.
  expect(await run.exited).toBe(0);
  const out = run.output();
  expect(out).toContain('Added to the running batch: w1');
  expect(out).toMatch(/w2 was not joined to the running batch: .*nope/);
  expect(out).toContain('Batch done: 4 passed, 0 failed, 0 skipped, 0 cancelled (of 4).');
}, 180_000);
