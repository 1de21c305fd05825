// Every command of SPEC §7 through the built CLI, as a separate process on a temporary
// project: output, files and exit codes, including the error paths.
import { existsSync, mkdirSync, readFileSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { spawn as spawnPty } from '@lydell/node-pty';
import { parseStatusFile, formatStatusFile, StatusEntry } from '../../core/status';
import { waitFor } from '../support/harness';
import { runCli, sharedServerEnv } from '../support/processes';
import { useStandInModel } from '../support/servers';
import { makeProject, simpleJob } from '../support/project';
import { block, isVerification, jobOf, passingReplies } from '../support/replies';

const model = useStandInModel();

const env = sharedServerEnv;
const tmpDir = (name: string) => path.join(process.env.WORKSPLIT_TEST_TMP!, `${name}-${Math.random().toString(36).slice(2, 8)}`);
const writeStatus = (root: string, entries: StatusEntry[]) => writeFileSync(path.join(root, 'jobs/_jobstatus.json'), formatStatusFile(entries));
const readStatus = (root: string) => Object.fromEntries(parseStatusFile(readFileSync(path.join(root, 'jobs/_jobstatus.json'), 'utf8')).map((e) => [e.id, e]));
const entry = (id: string, status: StatusEntry['status'], extra: Partial<StatusEntry> = {}): StatusEntry => ({ id, status, created_at: '2020-01-01T00:00:00Z', updated_at: '2020-01-01T00:00:00Z', ran: true, ...extra });

test('init writes every template for each language, refuses to overwrite, and --force replaces', async () => {
  for (const lang of ['typescript', 'rust', 'solidity', 'python']) {
    const dir = tmpDir(`init-${lang}`);
    const r = await runCli(['--path', dir, 'init', '--lang', lang, '--model', 'qwen3:8b'], env());
    expect(r.code).toBe(0);
    const jobs = readdirSync(path.join(dir, 'jobs')).sort();
    expect(jobs).toEqual(['_managerinstruction.md', '_systemprompt_create.md', '_systemprompt_edit.md', '_systemprompt_fix.md', '_systemprompt_split.md', '_systemprompt_test.md', '_systemprompt_verify.md', '_systemprompt_verify_edit.md', 'example_replace.md', 'example_tdd.md']);
    expect(readFileSync(path.join(dir, 'worksplit.toml'), 'utf8')).toContain(`language = "${lang}"`);
    expect(readFileSync(path.join(dir, 'jobs/_systemprompt_create.md'), 'utf8')).not.toMatch(/\{\{/);
    const v = await runCli(['--path', dir, 'validate'], env());
    expect(v.output).toContain('are valid');
    expect(v.code).toBe(0);
  }
  const dir = tmpDir('init-again');
  await runCli(['--path', dir, 'init', '--lang', 'rust'], env());
  writeFileSync(path.join(dir, 'jobs/_systemprompt_create.md'), 'MINE');
  const again = await runCli(['--path', dir, 'init', '--lang', 'rust'], env());
  expect(again.code).toBe(2);
  expect(again.output).toContain('not overwriting worksplit.toml');
  expect(readFileSync(path.join(dir, 'jobs/_systemprompt_create.md'), 'utf8')).toBe('MINE');
  expect((await runCli(['--path', dir, 'init', '--lang', 'rust', '--force'], env())).code).toBe(0);
  expect(readFileSync(path.join(dir, 'jobs/_systemprompt_create.md'), 'utf8')).not.toBe('MINE');
  expect((await runCli(['--path', tmpDir('bad'), 'init', '--lang', 'cobol'], env())).code).toBe(2);
});

test('new-job writes a valid job for each of the five types', async () => {
  const dir = tmpDir('newjob');
  await runCli(['--path', dir, 'init', '--lang', 'typescript'], env());
  mkdirSync(path.join(dir, 'src'), { recursive: true });
  writeFileSync(path.join(dir, 'src/big.ts'), 'x\n');
  writeFileSync(path.join(dir, 'src/auth.ts'), 'y\n');
  for (const [name, args] of [['a_replace', ['-o', 'src', '-f', 'a.ts']], ['a_edit', ['--type', 'edit', '--targets', 'src/auth.ts']], ['a_split', ['--type', 'split', '--targets', 'src/big.ts', '-o', 'src/big', '-f', 'index.ts']], ['a_seq', ['--type', 'sequential', '-o', 'src/seq', '-f', 'one.ts']], ['a_tdd', ['--type', 'tdd', '-o', 'src', '-f', 'calc.ts']]] as const) {
    const r = await runCli(['--path', dir, 'new-job', name, ...args], env());
    expect(r.code).toBe(0);
  }
  expect(readFileSync(path.join(dir, 'jobs/a_tdd.md'), 'utf8')).toContain('test_file: calc.test.ts');
  expect(readFileSync(path.join(dir, 'jobs/a_split.md'), 'utf8')).toContain('target_file: src/big.ts');
  const v = await runCli(['--path', dir, 'validate'], env());
  expect(v.output).toContain('are valid');
  expect((await runCli(['--path', dir, 'new-job', 'a_replace'], env())).code).toBe(2);
  expect((await runCli(['--path', dir, 'new-job', 'x', '--type', 'weird'], env())).output).toContain('--type must be one of');
});

test('validate names file and field; deps shows dependencies and groups', async () => {
  const root = makeProject({
    ollamaUrl: model.ollama.url,
    jobs: { a: simpleJob('a'), b: simpleJob('b', { context_files: ['out/a.txt'] }), bad: { fm: { output_dir: 'out' } }, loop1: simpleJob('loop1', { depends_on: ['loop2'] }), loop2: simpleJob('loop2', { depends_on: ['loop1'] }) },
  });
  const v = await runCli(['--path', root, 'validate'], env());
  expect(v.code).toBe(2);
  expect(v.output).toContain('jobs/bad.md: output_file: is required');
  expect(v.output).toContain('dependency cycle: loop1 -> loop2 -> loop1');
  const d = await runCli(['--path', root, 'deps'], env());
  expect(d.output).toContain('b <- a');
  expect(d.output).toContain('1. a\n  2. b');
  expect(d.output).toContain('cannot run: dependency cycle');
});

test('preview prints the exact prompt, context with line counts, token estimate and model', async () => {
  const root = makeProject({ ollamaUrl: model.ollama.url, files: { 'src/types.ts': 'export type A = 1;\nexport type B = 2;\n' }, jobs: { p: simpleJob('p', { context_files: ['src/types.ts'] }) } });
  const r = await runCli(['--path', root, 'preview', 'p'], env());
  expect(r.code).toBe(0);
  expect(r.output).toContain('=== system ===');
  expect(r.output).toContain('[CONTEXT]\n### File: src/types.ts');
  expect(r.output).toContain('JOB p: write the file.');
  expect(r.output).toContain('context src/types.ts (2 lines)');
  expect(r.output).toMatch(/estimated tokens: \d+ of max_prompt_tokens 32000/);
  expect(r.output).toContain('model: qwen-32k:latest');
  // The test server reports a 32768-token model, like /api/show's model_info.
  expect(r.output).toMatch(/context: prompt about \d+ tokens \+ up to 9000 for the answer -> num_ctx 16384 \(model maximum 32768\)/);
  expect((await runCli(['--path', root, 'preview', 'nope'], env())).code).toBe(2);
});

test('preview of a job whose dependency has not run shows the prompt as it stands and names what is still to come', async () => {
  const root = makeProject({ ollamaUrl: model.ollama.url, jobs: { d: simpleJob('d'), e: simpleJob('e', { depends_on: ['d'] }) } });
  const before = await runCli(['--path', root, 'preview', 'e'], env());
  expect(before.code).toBe(0);
  expect(before.output).toContain('JOB e: write the file.');
  expect(before.output).not.toContain('### File: out/d.txt');
  expect(before.output).toMatch(/e: not in this prompt yet: out\/d\.txt \(written by e's dependencies, which have not run/);
  // Once the dependency's output exists, it is in the prompt and nothing is announced.
  mkdirSync(path.join(root, 'out'), { recursive: true });
  writeFileSync(path.join(root, 'out', 'd.txt'), 'from d\n');
  const after = await runCli(['--path', root, 'preview', 'e'], env());
  expect(after.code).toBe(0);
  expect(after.output).toContain('### File: out/d.txt');
  expect(after.output).not.toContain('not in this prompt yet');
  // An edit job whose target its dependency writes: no prompt before the dependency ran, said so.
  writeFileSync(path.join(root, 'jobs', 'f.md'), '---\nmode: edit\noutput_dir: out\noutput_file: g.txt\ndepends_on: [g]\n---\n\nEdit it.\n');
  writeFileSync(path.join(root, 'jobs', 'g.md'), '---\noutput_dir: out\noutput_file: g.txt\n---\n\nWrite it.\n');
  writeFileSync(path.join(root, 'jobs', '_systemprompt_edit.md'), 'You edit code.\n');
  const edit = await runCli(['--path', root, 'preview', 'f'], env());
  expect(edit.code).toBe(0);
  expect(edit.output).toContain("f's prompt shows out/g.txt, which its dependencies (g) write and which is not there yet: preview f again once they have run.");
});

test('preview of an edit job shows the file it edits once, as its target, not again as context', async () => {
  const root = makeProject({
    ollamaUrl: model.ollama.url,
    files: { 'src/types.ts': 'export type A = 1;\n' },
    jobs: { aa: { fm: { output_dir: 'src', output_file: 'types.ts' } }, bb: { fm: { mode: 'edit', output_dir: 'src', output_file: 'types.ts', depends_on: ['aa'] } } },
  });
  writeFileSync(path.join(root, 'jobs', '_systemprompt_edit.md'), 'You edit code. (test edit prompt)\n');
  const r = await runCli(['--path', root, 'preview', 'bb'], env());
  expect(r.code).toBe(0);
  expect(r.output).toContain('target  src/types.ts (1 lines)');
  expect(r.output).not.toContain('context src/types.ts');
  expect(r.output.split('export type A = 1;').length - 1).toBe(1);
});

test("init's edit prompt asks for the answer format of the job's own mode: FIND/REPLACE for edit, AFTER/INSERT for replace_pattern", async () => {
  const dir = tmpDir('init-modes');
  expect((await runCli(['--path', dir, 'init', '--lang', 'typescript', '--model', 'qwen-32k:latest'], env())).code).toBe(0);
  const toml = path.join(dir, 'worksplit.toml');
  writeFileSync(toml, readFileSync(toml, 'utf8').replace(/^url = .*$/m, `url = "${model.ollama.url}"`));
  mkdirSync(path.join(dir, 'src'), { recursive: true });
  writeFileSync(path.join(dir, 'src', 'a.ts'), 'export const a = 1;\n');
  writeFileSync(path.join(dir, 'jobs', 'ins.md'), '---\nmode: replace_pattern\noutput_dir: src\noutput_file: a.ts\ntarget_files: [src/a.ts]\n---\n\nAdd a line after the export.\n');
  writeFileSync(path.join(dir, 'jobs', 'ed.md'), '---\nmode: edit\noutput_dir: src\noutput_file: a.ts\n---\n\nRename a to b.\n');
  for (const id of ['ins', 'ed']) {
    const r = await runCli(['--path', dir, 'preview', id], env());
    expect(r.code).toBe(0);
    // The project's prompt is the user message up to the context: it must not demand one format.
    const user = r.output.slice(r.output.indexOf('=== user ==='), r.output.indexOf('=== summary ==='));
    const projectPrompt = user.slice(0, user.indexOf('[CONTEXT]'));
    expect(projectPrompt).toContain('FILE/FIND/REPLACE/END edit blocks for an edit job');
    expect(projectPrompt).toContain('AFTER:/INSERT:/END pairs for a replace_pattern job');
    expect(projectPrompt).not.toMatch(/Answer only with/);
  }
});

test('validate and preview say when the server has no such model, and when it does not answer', async () => {
  const root = makeProject({ ollamaUrl: model.ollama.url, model: 'not-pulled:7b', jobs: { p: simpleJob('p') } });
  const v = await runCli(['--path', root, 'validate'], env());
  expect(v.output).toContain('worksplit.toml: ollama.model: the Ollama server at');
  expect(v.output).toContain('has no model not-pulled:7b (pull it: ollama pull not-pulled:7b)');
  const p = await runCli(['--path', root, 'preview', 'p'], env());
  expect(p.code).toBe(0);
  expect(p.output).toMatch(/context: prompt about \d+ tokens; the Ollama server at .* has no model not-pulled:7b/);
  expect(p.output).not.toContain('did not answer');
  const gone = makeProject({ ollamaUrl: 'http://127.0.0.1:9', jobs: { p: simpleJob('p') } });
  const q = await runCli(['--path', gone, 'preview', 'p'], env());
  expect(q.output).toMatch(/context: prompt about \d+ tokens; qwen-32k:latest at http:\/\/127\.0\.0\.1:9 did not answer/);
  expect(q.output).not.toContain('ollama.model');
});

test('validate lists the num_ctx of each first call and warns about a job that cannot fit', async () => {
  const big = `${'y'.repeat(199)}\n`.repeat(550); // 110,000 characters: about 36,700 tokens by the estimate
  const root = makeProject({
    ollamaUrl: model.ollama.url,
    toml: '[limits]\nmax_prompt_tokens = 100000\nmax_context_lines = 5000\n',
    files: { 'ctx/big.txt': big },
    jobs: { small: simpleJob('small'), large: simpleJob('large', { context_files: ['ctx/big.txt'] }) },
  });
  const r = await runCli(['--path', root, 'validate'], env());
  expect(r.output).toContain(`Context windows of the first calls (qwen-32k:latest at ${model.ollama.url}, maximum 32768):`);
  expect(r.output).toMatch(/ {2}small: prompt about \d+ tokens -> num_ctx 16384\n/);
  expect(r.output).toMatch(/ {2}large: prompt about \d+ tokens -> num_ctx 32768 \(does not fit\)/);
  expect(r.output).toMatch(/warning: jobs\/large\.md: the prompt \(about \d+ tokens\) and room for an answer \(1024\) do not fit in a context of 32768 tokens/);
  expect(r.code).toBe(0);
});

test('preview warns, with the numbers, about a prompt that cannot fit the model or the num_ctx set in options', async () => {
  const root = makeProject({ ollamaUrl: model.ollama.url, ollamaToml: 'options = { num_ctx = 1100 }', jobs: { p: simpleJob('p') } });
  const r = await runCli(['--path', root, 'preview', 'p'], env());
  expect(r.output).toMatch(/num_ctx 1100 \(set in \[ollama\] options\) \(model maximum 32768\)/);
  expect(r.output).toMatch(/p: the prompt \(about \d+ tokens\) and room for an answer \(1024\) do not fit in a context of 1100 tokens \(num_ctx from \[ollama\] options\)/);
});

test('status: summary, -v, --summary and the documented --json shape', async () => {
  const root = makeProject({ ollamaUrl: model.ollama.url, jobs: { a: simpleJob('a'), b: simpleJob('b'), c: simpleJob('c'), d: simpleJob('d') } });
  writeStatus(root, [entry('a', 'pass'), entry('b', 'fail', { error: 'boom' }), entry('c', 'partial', { error: '1 edit failed', partial_state: { successful_edits: ['x'], failed_edits: [{ file: 'f', find_preview: 'p', reason: 'r' }] } })]);
  expect((await runCli(['--path', root, 'status'], env())).output.trim()).toBe('1 passed, 1 failed, 1 partial, 1 pending');
  const v = await runCli(['--path', root, '-v', 'status'], env());
  expect(v.output).toMatch(/b\s+fail\s+boom/);
  expect((await runCli(['--path', root, '-v', 'status', '--summary'], env())).output.trim()).toBe('1 passed, 1 failed, 1 partial, 1 pending');
  const j = JSON.parse((await runCli(['--path', root, 'status', '--json'], env())).output);
  expect(j).toMatchObject({ running: false, batch: null, totals: { total: 4, passed: 1, failed: 1, partial: 1, pending: 0, created: 1 } });
  expect(j.jobs[2]).toMatchObject({ id: 'c', status: 'partial', error: '1 edit failed', ran: true, partial_state: { successful_edits: ['x'] } });
  expect(j.jobs[3]).toMatchObject({ id: 'd', status: 'created', error: null, ran: false });
});

test('reset, retry --failed, archive and cleanup', async () => {
  model.ollama.respond = passingReplies();
  const root = makeProject({ ollamaUrl: model.ollama.url, jobs: { a: simpleJob('a'), b: simpleJob('b'), c: simpleJob('c'), old: simpleJob('old') } });
  writeStatus(root, [entry('a', 'pass'), entry('b', 'fail', { error: 'x' }), entry('c', 'created', { ran: false, error: 'skipped: depends on b, which failed' }), entry('old', 'pass')]);
  const reset = await runCli(['--path', root, 'reset', 'all', '--status', 'pass'], env());
  expect(reset.output).toContain('Reset 2 jobs to created: a, old');
  expect(readStatus(root).a).toMatchObject({ status: 'created', ran: false });
  writeStatus(root, [entry('a', 'pass'), entry('b', 'fail', { error: 'x' }), entry('c', 'created', { ran: false, error: 'skipped: depends on b, which failed' }), entry('old', 'pass')]);

  model.ollama.resetStats();
  const retry = await runCli(['--path', root, 'retry', '--failed'], env());
  expect(retry.output).toContain('Retrying b, c.');
  expect(retry.code).toBe(0);
  expect(new Set(model.ollama.calls().map(jobOf))).toEqual(new Set(['b', 'c']));
  expect(readStatus(root).b.status).toBe('pass');

  const dry = await runCli(['--path', root, 'archive', '--days', '3', '--dry-run'], env());
  expect(dry.output).toContain('Would archive 2 jobs: a, old');
  expect(existsSync(path.join(root, 'jobs/a.md'))).toBe(true);
  const arch = await runCli(['--path', root, 'archive', '--days', '3'], env());
  expect(arch.output).toContain('Archived 2 jobs');
  expect(existsSync(path.join(root, 'jobs/archive/old.md'))).toBe(true);
  expect(readStatus(root).old).toBeUndefined();
  utimesSync(path.join(root, 'jobs/archive/old.md'), new Date('2020-01-01'), new Date('2020-01-01'));
  expect((await runCli(['--path', root, 'cleanup', '--days', '30', '--dry-run'], env())).output).toContain('Would delete 1 archived job: old.md');
  await runCli(['--path', root, 'cleanup', '--days', '30'], env());
  expect(readdirSync(path.join(root, 'jobs/archive'))).toEqual(['a.md']);
});

test('cancel, pause, resume and concurrency answer clearly when no batch runs; readme prints the guide', async () => {
  const root = makeProject({ ollamaUrl: model.ollama.url, jobs: { a: simpleJob('a') } });
  for (const args of [['cancel', 'a'], ['cancel', 'all'], ['pause'], ['resume'], ['concurrency', '2']]) {
    const r = await runCli(['--path', root, ...args], env());
    expect(r.code).toBe(2);
    expect(r.output).toContain('no batch is running for this project');
  }
  const readme = await runCli(['readme'], env());
  expect(readme.output).toContain('# Writing jobs for worksplit');
  expect(readme.output).toContain('worksplit retry --failed');
});

test('lint runs the lint command (on a job\'s outputs), fix lets the model fix what it reports', async () => {
  model.ollama.respond = (req) => (isVerification(req) ? { content: 'PASS' } : req.user.includes('[FAILED COMMAND]') ? { content: block('out/l.txt', 'clean') } : { content: block(`out/${jobOf(req)}.txt`, 'dirty') });
  const root = makeProject({
    ollamaUrl: model.ollama.url,
    files: { 'jobs/_systemprompt_fix.md': 'FIX\n' },
    toml: '\n[build]\nlint_command = "! grep -l dirty"\n',
    jobs: { l: simpleJob('l') },
  });
  expect((await runCli(['--path', root, 'run'], env())).code).toBe(0);
  const lint = await runCli(['--path', root, 'lint', '--job', 'l'], env());
  expect(lint.code).toBe(1);
  expect(lint.output).toContain("lint failed (exit 1): ! grep -l dirty 'out/l.txt'");
  const fix = await runCli(['--path', root, 'fix', 'l'], env());
  expect(fix.code).toBe(0);
  expect(readFileSync(path.join(root, 'out/l.txt'), 'utf8')).toBe('clean\n');
  expect((await runCli(['--path', root, 'lint', '--job', 'l'], env())).code).toBe(0);
});

test('--job-timeout fails a job that runs too long, with the reason in the status file', async () => {
  model.ollama.respond = (req) => ({ content: isVerification(req) ? 'PASS' : block(`out/${jobOf(req)}.txt`, 'x'), latencyMs: jobOf(req) === 'slow' ? 8000 : 0 });
  // Two model slots, so the quick job's calls do not wait behind the slow one's.
  const root = makeProject({ ollamaUrl: model.ollama.url, ollamaToml: 'parallel = 2', jobs: { slow: simpleJob('slow'), quick: simpleJob('quick') } });
  const r = await runCli(['--path', root, 'run', '--job-timeout', '3'], env());
  expect(r.code).toBe(1);
  expect(r.output).toContain('slow: the job timed out after 3s (--job-timeout)');
  expect(readStatus(root).slow).toMatchObject({ status: 'fail', error: 'the job timed out after 3s (--job-timeout)' });
  expect(readStatus(root).quick.status).toBe('pass');
});

test('every command has --help with examples', async () => {
  const r = await runCli(['--help'], env());
  const commands = [...r.output.matchAll(/^ {2}([a-z-]+)(?: \[options\]| <|\s)/gm)].map((m) => m[1]).filter((c) => c !== 'help' && !c.startsWith('-'));
  expect(commands.length).toBeGreaterThanOrEqual(22);
  for (const c of commands) {
    const help = await runCli([c, '--help'], env());
    expect(help.code).toBe(0);
    expect(help.output).toContain('Examples:');
  }
}, 120_000);

test('retry JOB runs that job again; fix-all lints every passed job; status --watch without a batch prints once', async () => {
  model.ollama.respond = passingReplies();
  const root = makeProject({ ollamaUrl: model.ollama.url, files: { 'jobs/_systemprompt_fix.md': 'FIX\n' }, toml: '\n[build]\nlint_command = "test -s"\n', jobs: { a: simpleJob('a'), b: simpleJob('b') } });
  expect((await runCli(['--path', root, 'run'], env())).code).toBe(0);
  model.ollama.resetStats();
  const retry = await runCli(['--path', root, 'retry', 'a'], env());
  expect(retry.code).toBe(0);
  expect(new Set(model.ollama.calls().map(jobOf))).toEqual(new Set(['a']));
  model.ollama.resetStats();
  const fixAll = await runCli(['--path', root, 'fix-all'], env());
  expect(fixAll.code).toBe(0);
  expect(fixAll.output).toContain('Batch done: 2 passed');
  expect(model.ollama.calls()).toHaveLength(0); // the lint passed, so no fix was asked for
  const watch = await runCli(['--path', root, 'status', '--watch'], env());
  expect(watch.code).toBe(0);
  expect(watch.output.trim()).toBe('2 passed, 0 failed, 0 pending');
});

test('init asks for the language and model in a terminal (a pseudo-terminal) when no flags are given', async () => {
  const dir = tmpDir('init-tty');
  const terminal = spawnPty(process.execPath, [path.join(__dirname, '..', '..', 'bin', 'worksplit.js'), '--path', dir, 'init'], { cols: 120, rows: 30, env: process.env as Record<string, string> });
  let screen = '';
  terminal.onData((data) => { screen += data.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, ''); });
  const exited = new Promise<number>((resolve) => terminal.onExit(({ exitCode }) => resolve(exitCode)));
  try {
    await waitFor(() => screen.includes('Language of the project'), 10_000, 'the language question');
    terminal.write('\x1b[B\r'); // Down, Enter: the second choice, rust
    await waitFor(() => screen.includes('Ollama model'), 10_000, 'the model question');
    terminal.write('qwen3:8b\r');
    expect(await exited).toBe(0);
  } finally {
    terminal.kill();
  }
  expect(screen).toContain('Initialized a rust worksplit project');
  expect(readFileSync(path.join(dir, 'worksplit.toml'), 'utf8')).toMatch(/language = "rust"[\s\S]*model = "qwen3:8b"/);
});
