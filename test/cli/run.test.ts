// `worksplit run`, `status` and `server` through the built CLI, as separate processes: the
// embedded dev server, attach on a second run, dry runs that touch nothing, exit codes.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { OllamaTestServer } from '../support/ollama-test-server';
import { runCli, spawnCli } from '../support/processes';
import { makeProject, simpleJob } from '../support/project';
import { block, isVerification, jobOf, passingReplies } from '../support/replies';

let ollama: OllamaTestServer;
const embeddedRoots: string[] = [];

beforeAll(async () => {
  ollama = await new OllamaTestServer().start();
});
afterAll(async () => {
  for (const root of embeddedRoots) await runCli(['--path', root, 'server', 'stop'], { TEMPORAL_ADDRESS: '' });
  await ollama.stop();
});

const shared = () => ({ TEMPORAL_ADDRESS: process.env.WORKSPLIT_TEST_TEMPORAL_ADDRESS! });

test('run on the embedded server: starts it, runs the batch, leaves it running; a second run attaches or finds nothing to do', async () => {
  ollama.respond = passingReplies({ latencyMs: 20 });
  const root = makeProject({ ollamaUrl: ollama.url, jobs: { one: simpleJob('one'), two: simpleJob('two', { context_files: ['out/one.txt'] }) } });
  embeddedRoots.push(root);
  const env = { TEMPORAL_ADDRESS: '' };

  const first = await runCli(['--path', root, 'run'], env);
  expect(first.output).toContain('Started batch worksplit/');
  expect(first.output).toMatch(/Web UI: http:\/\/127\.0\.0\.1:\d+\/namespaces\/default\/workflows\/worksplit%2F/);
  expect(first.output).toContain('Batch done: 2 passed, 0 failed, 0 skipped, 0 cancelled (of 2).');
  expect(first.code).toBe(0);
  expect(readFileSync(path.join(root, 'out/two.txt'), 'utf8')).toBe('generated for two\n');
  expect(existsSync(path.join(root, '.worksplit', 'temporal.db'))).toBe(true);

  const server = await runCli(['--path', root, 'server', 'status'], env);
  expect(server.output).toMatch(/^running at 127\.0\.0\.1:\d+/);
  expect(server.code).toBe(0);

  const again = await runCli(['--path', root, 'run'], env);
  expect(again.output).toContain('No jobs to run');
  expect(again.code).toBe(0);

  const status = await runCli(['--path', root, 'status'], env);
  expect(status.output.trim()).toBe('2 passed, 0 failed, 0 pending');
  const json = JSON.parse((await runCli(['--path', root, 'status', '--json'], env)).output);
  expect(json.jobs.map((j: { id: string; status: string }) => [j.id, j.status])).toEqual([['one', 'pass'], ['two', 'pass']]);

  const stopped = await runCli(['--path', root, 'server', 'stop'], env);
  expect(stopped.output).toContain('stopped');
  expect((await runCli(['--path', root, 'server', 'status'], env)).code).toBe(1);
}, 120_000);

test('two runs started at once end up attached to one batch', async () => {
  ollama.respond = passingReplies({ latencyMs: 300 });
  const root = makeProject({ ollamaUrl: ollama.url, jobs: { a: simpleJob('a'), b: simpleJob('b'), c: simpleJob('c') } });
  ollama.resetStats();
  const [x, y] = await Promise.all([runCli(['--path', root, 'run'], shared()), runCli(['--path', root, 'run'], shared())]);
  expect(x.code).toBe(0);
  expect(y.code).toBe(0);
  const outputs = [x.output, y.output];
  expect(outputs.filter((o) => o.includes('Started batch')).length).toBe(1);
  expect(outputs.filter((o) => o.includes('Attached to the running batch')).length).toBe(1);
  // Each job generated once: one batch, not two.
  expect(ollama.calls().filter((c) => !isVerification(c))).toHaveLength(3);
});

test('exit code 1 when a job fails, with the reason in the summary', async () => {
  ollama.respond = (req) => (isVerification(req) ? { content: 'FAIL: not good' } : { content: block(`out/${jobOf(req)}.txt`, 'x') });
  const root = makeProject({ ollamaUrl: ollama.url, jobs: { bad: simpleJob('bad') } });
  const r = await runCli(['--path', root, 'run'], shared());
  expect(r.code).toBe(1);
  expect(r.output).toContain('Batch done: 0 passed, 1 failed');
  expect(r.output).toMatch(/✖ bad: verification failed after the retry: FAIL: not good/);
  const v = await runCli(['--path', root, '-v', 'status'], shared());
  expect(v.output).toMatch(/bad\s+fail\s+verification failed after the retry/);
});

test('--dry-run and deps show the jobs that need an invalid job as skipped, not in the groups', async () => {
  const root = makeProject({ ollamaUrl: 'http://127.0.0.1:9', jobs: { bad: simpleJob('bad', { output_file: 7 }), d: simpleJob('d', { depends_on: ['bad'] }), e: simpleJob('e', { depends_on: ['d'] }), f: simpleJob('f') } });
  const r = await runCli(['--path', root, 'run', '--dry-run'], { TEMPORAL_ADDRESS: '' });
  expect(r.code).toBe(2);
  expect(r.output).toContain('Dry run: 1 job would run in 1 group');
  expect(r.output).toContain('group 1: f');
  expect(r.output).not.toMatch(/group \d+: .*\b[de]\b/);
  expect(r.output).toContain('would be skipped d: needs bad, which cannot run');
  expect(r.output).toContain('would be skipped e: needs bad, which cannot run');
  const deps = await runCli(['--path', root, 'deps'], { TEMPORAL_ADDRESS: '' });
  expect(deps.code).toBe(2);
  expect(deps.output).toContain('Execution groups:\n  1. f\n');
  expect(deps.output).toContain('cannot run: e (needs bad, which cannot run)');
});

test('--dry-run prints groups and touches nothing', async () => {
  const root = makeProject({ ollamaUrl: 'http://127.0.0.1:9', jobs: { a: simpleJob('a'), b: simpleJob('b', { depends_on: ['a'] }), c: simpleJob('c') } });
  const before = readdirSync(path.join(root, 'jobs')).sort();
  const r = await runCli(['--path', root, 'run', '--dry-run'], { TEMPORAL_ADDRESS: '' });
  expect(r.code).toBe(0);
  expect(r.output).toContain('Dry run: 3 jobs would run in 2 groups');
  expect(r.output).toContain('group 1: a, c');
  expect(r.output).toContain('group 2: b (after a)');
  expect(readdirSync(path.join(root, 'jobs')).sort()).toEqual(before);
  expect(existsSync(path.join(root, '.worksplit'))).toBe(false);
});

test('usage and configuration errors exit 2 with one clear line', async () => {
  const root = makeProject({ ollamaUrl: ollama.url, jobs: { a: simpleJob('a') } });
  const unknownJob = await runCli(['--path', root, 'run', '--job', 'nope'], shared());
  expect(unknownJob.code).toBe(2);
  expect(unknownJob.output).toContain('error: no job "nope" in jobs/');
  const noJobs = await runCli(['--path', path.join(root, 'out-nowhere'), 'status'], shared());
  expect(noJobs.code).toBe(2);
  const badFlag = await runCli(['--path', root, 'run', '--max-concurent', '3'], shared());
  expect(badFlag.code).toBe(2);
  expect(badFlag.output).toMatch(/Did you mean --max-concurrent/);
  const badValue = await runCli(['--path', root, 'run', '--max-concurrent', 'x'], shared());
  expect(badValue.code).toBe(2);
  const noOllama = await runCli(['--path', makeProject({ ollamaUrl: 'http://127.0.0.1:9', jobs: { a: simpleJob('a') } }), 'run'], shared());
  expect(noOllama.code).toBe(2);
  expect(noOllama.output).toContain('Ollama is not reachable at http://127.0.0.1:9');
});

test('Ctrl-C stops the worker gracefully, aborts the streams, says how to resume; the next run finishes', async () => {
  ollama.respond = passingReplies({ chunks: 200, tokenDelayMs: 20 });
  const root = makeProject({ ollamaUrl: ollama.url, ollamaToml: 'parallel = 2', jobs: { s1: simpleJob('s1'), s2: simpleJob('s2') } });
  ollama.resetStats();
  const p = spawnCli(['--path', root, 'run'], shared());
  const deadline = Date.now() + 30_000;
  while (ollama.inFlight < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  p.child.kill('SIGINT');
  const code = await p.exited;
  expect(code).toBe(130);
  expect(p.output()).toContain('Resume with: worksplit run');
  await new Promise((r) => setTimeout(r, 300));
  const gens = ollama.calls();
  expect(gens.length).toBeGreaterThanOrEqual(2);
  expect(gens.every((c) => c.aborted || c.completed)).toBe(true);
  expect(gens.some((c) => c.aborted)).toBe(true);

  ollama.respond = passingReplies();
  const resumed = await runCli(['--path', root, 'run'], shared());
  expect(resumed.output).toContain('Attached to the running batch');
  expect(resumed.code).toBe(0);
});
