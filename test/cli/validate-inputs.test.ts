// `validate` checks what `run` will check about each job's inputs (context and target files,
// dependencies, limits) and warns about new-job placeholders; `run` with nothing to do starts no
// batch; a URL that is not an Ollama gets one clear line.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { OllamaTestServer } from '../support/ollama-test-server';
import { runCli } from '../support/processes';
import { makeProject, simpleJob } from '../support/project';
import { passingReplies } from '../support/replies';

let ollama: OllamaTestServer;
beforeAll(async () => {
  ollama = await new OllamaTestServer({ respond: passingReplies() }).start();
});
afterAll(async () => {
  await ollama.stop();
});

const env = () => ({ TEMPORAL_ADDRESS: process.env.WORKSPLIT_TEST_TEMPORAL_ADDRESS! });

test('validate rejects a context or target file that does not exist and that no job writes, as run does', async () => {
  const root = makeProject({
    ollamaUrl: ollama.url,
    jobs: {
      alpha: simpleJob('alpha', { context_files: ['src/missing.ts'] }),
      beta: { fm: { mode: 'edit', output_dir: 'src', output_file: 'gone.ts' } },
      gamma: { fm: { mode: 'split', target_file: 'src/big.ts', output_dir: 'src', output_file: 'big.ts', output_files: ['src/big/a.ts', 'src/big/b.ts'] } },
    },
    toml: '',
  });
  writeFileSync(path.join(root, 'jobs', '_systemprompt_edit.md'), 'edit rules\n');
  writeFileSync(path.join(root, 'jobs', '_systemprompt_split.md'), 'split rules\n');
  const r = await runCli(['--path', root, 'validate'], env());
  expect(r.code).toBe(2);
  expect(r.output).toContain('jobs/alpha.md: context_files: src/missing.ts does not exist, and no job writes it');
  expect(r.output).toContain('jobs/beta.md: target_files: src/gone.ts does not exist, and no job writes it');
  expect(r.output).toContain('jobs/gamma.md: target_file: src/big.ts does not exist, and no job writes it');
  // run rejects the same job for the same reason.
  const run = await runCli(['--path', root, 'run', '--job', 'alpha'], env());
  expect(run.code).toBe(1);
  expect(run.output).toContain('alpha failed: src/missing.ts: does not exist');
});

test('validate accepts a context file a dependency writes, and reports files over the limits and unknown depends_on', async () => {
  const big = Array.from({ length: 30 }, (_, i) => `line ${i}`).join('\n');
  const root = makeProject({
    ollamaUrl: ollama.url,
    jobs: {
      alpha: simpleJob('alpha'),
      beta: simpleJob('beta', { context_files: ['out/alpha.txt'] }),
      gamma: simpleJob('gamma', { context_files: ['src/big.txt'] }),
      delta: simpleJob('delta', { depends_on: ['nope'] }),
    },
    files: { 'src/big.txt': `${big}\n` },
    toml: '\n[limits]\nmax_context_lines = 20\n',
  });
  const r = await runCli(['--path', root, 'validate'], env());
  expect(r.code).toBe(2);
  expect(r.output).not.toContain('out/alpha.txt');
  expect(r.output).toContain('jobs/gamma.md: src/big.txt has 30 lines, over max_context_lines (20)');
  expect(r.output).toMatch(/jobs\/delta\.md: depends_on: .*nope/);
  expect(r.output.match(/✖/g)).toHaveLength(2);
});

test('validate warns about a new-job whose placeholder instructions were never edited, and not once they are', async () => {
  const root = makeProject({ ollamaUrl: ollama.url, jobs: {} });
  expect((await runCli(['--path', root, 'new-job', 'add_parser', '-o', 'src', '-f', 'parser.ts'], env())).code).toBe(0);
  const untouched = await runCli(['--path', root, 'validate'], env());
  expect(untouched.code).toBe(0);
  expect(untouched.output).toContain("jobs/add_parser.md: the instructions are still new-job's placeholder");
  const file = path.join(root, 'jobs', 'add_parser.md');
  writeFileSync(file, readFileSync(file, 'utf8').replace(/Describe the file to write:.*\n/, 'Write parse(text: string): string[] splitting on commas.\n'));
  const edited = await runCli(['--path', root, 'validate'], env());
  expect(edited.code).toBe(0);
  expect(edited.output).not.toContain('placeholder');
});

test('run with nothing to do says so and starts no batch; with every job passed, --rerun is not offered as the way', async () => {
  const root = makeProject({ ollamaUrl: ollama.url, jobs: { alpha: simpleJob('alpha') } });
  expect((await runCli(['--path', root, 'run'], env())).code).toBe(0);
  const again = await runCli(['--path', root, 'run'], env());
  expect(again.code).toBe(0);
  expect(again.output.trim()).toBe('No jobs to run: every job has passed. To run jobs again: worksplit reset JOB (or reset all), or worksplit run --job ID.');
  // --rerun picks created jobs that ran (skipped, cancelled), never passed ones: it says so.
  const rerun = await runCli(['--path', root, 'run', '--rerun'], env());
  expect(rerun.code).toBe(0);
  expect(rerun.output.trim()).toBe(
    'No jobs to run: every job has passed (--rerun adds jobs back in status created that ran before, such as skipped or cancelled ones, not passed ones). To run jobs again: worksplit reset JOB (or reset all), or worksplit run --job ID.',
  );
  const dry = await runCli(['--path', root, 'run', '--rerun', '--dry-run'], env());
  expect(dry.output).toContain('  No jobs to run: every job has passed (--rerun adds');
});

test('an Ollama URL that answers 404 gets one clear error line', async () => {
  const notOllama = http.createServer((_req, res) => {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('404 page not found');
  });
  await new Promise<void>((resolve) => notOllama.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(notOllama.address() as AddressInfo).port}`;
  try {
    const root = makeProject({ ollamaUrl: url, jobs: { alpha: simpleJob('alpha') } });
    const r = await runCli(['--path', root, 'run'], env());
    expect(r.code).toBe(2);
    expect(r.output.trim()).toBe(`error: ${url} answered HTTP 404 (404 page not found) where Ollama answers its model list; check [ollama] url / --url`);
  } finally {
    await new Promise<void>((resolve) => notOllama.close(() => resolve()));
  }
});

test('validate names each missing system prompt file that a job of the folder needs, and only those', async () => {
  const root = makeProject({
    ollamaUrl: ollama.url,
    jobs: {
      tdd: simpleJob('tdd', { test_file: 'tdd.test.txt' }),
      patch: { fm: { mode: 'edit', output_dir: 'src', output_file: 'a.ts' } },
    },
    files: { 'src/a.ts': 'export const a = 1;\n' },
  });
  const r = await runCli(['--path', root, 'validate'], env());
  expect(r.code).toBe(2);
  expect(r.output).toContain('jobs/_systemprompt_test.md: missing (needed by the test prompts)');
  expect(r.output).toContain('jobs/_systemprompt_edit.md: missing (needed by the edit prompts)');
  expect(r.output).not.toContain('_systemprompt_split.md');
  expect(r.output).not.toContain('_systemprompt_create.md: missing');
});
