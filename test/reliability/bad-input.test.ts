// Bad input, kept as fixtures (test/fixtures/bad-input): every bad job file and every bad model
// answer gets a clear error naming the file and the field or path; the other jobs are not
// affected; nothing is written outside the project and nothing is half-written.
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync, appendFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseStatusFile } from '../../core/status';
import { runBatch } from '../support/harness';
import { useServers } from '../support/servers';
import { RecordedRequest, Reply } from '../support/ollama-test-server';
import { runCli } from '../support/processes';
import { block, isVerification, jobOf } from '../support/replies';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'bad-input');
const cases = JSON.parse(readFileSync(path.join(FIXTURES, 'cases.json'), 'utf8')) as Record<string, { expect: string; answers?: string[] }>;
const t = useServers();

function setUp(): { root: string; outside: string } {
  const parent = mkdtempSync(path.join(os.tmpdir(), 'ws-bad-'));
  const root = path.join(parent, 'project');
  cpSync(path.join(FIXTURES, 'project'), root, { recursive: true });
  const outside = path.join(parent, 'outside');
  cpSync(path.join(FIXTURES, 'project', 'files'), outside, { recursive: true });
  writeFileSync(path.join(outside, 'secret.txt'), 'secret');
  writeFileSync(path.join(parent, 'outside.txt'), 'outside');
  symlinkSync(outside, path.join(root, 'link_out'));
  writeFileSync(path.join(root, 'jobs', '_systemprompt_create.md'), 'create\n');
  writeFileSync(path.join(root, 'jobs', '_systemprompt_verify.md'), 'verify\n');
  writeFileSync(path.join(root, 'jobs', '_systemprompt_edit.md'), 'edit\n');
  writeFileSync(path.join(root, 'worksplit.toml'), `[ollama]\nurl = "${t.ollama.url}"\n[limits]\nmax_context_lines = 50\n[temporal]\ntask_queue = "bad-${process.pid}"\nheartbeat_seconds = 3\nactivity_seconds = 10\n`);
  return { root, outside: parent };
}

function listAll(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() && !d.isSymbolicLink() ? listAll(path.join(dir, d.name)).map((x) => `${d.name}/${x}`) : [d.name])).sort();
}

test(`${Object.keys(cases).length} bad-input cases fail with their file and field named; valid jobs (CRLF + BOM, null lists) pass`, async () => {
  expect(Object.keys(cases).length).toBeGreaterThanOrEqual(30);
  const { root, outside } = setUp();
  const outsideBefore = listAll(outside).filter((p) => !p.startsWith('project/'));
  const calls = new Map<string, number>();
  t.ollama.respond = (req: RecordedRequest): Reply => {
    const id = jobOf(req);
    if (isVerification(req)) return { content: 'PASS' };
    const n = calls.get(id) ?? 0;
    calls.set(id, n + 1);
    const scripted = cases[id]?.answers;
    if (scripted) return { content: scripted[Math.min(n, scripted.length - 1)] };
    return { content: block(`out/${id}.txt`, `content of ${id}`) };
  };
  const result = await runBatch(t.h, root);

  const mismatches: string[] = [];
  for (const [id, c] of Object.entries(cases)) {
    const job = result.jobs[id];
    if (!job || job.state !== 'failed' || !new RegExp(c.expect).test(job.reason ?? '')) mismatches.push(`${id}: ${job?.state} ${job?.reason}`);
  }
  expect(mismatches).toEqual([]);
  for (const id of ['good', 'crlf_bom', 'null_list']) expect(result.jobs[id].state).toBe('passed');
  expect(readFileSync(path.join(root, 'out/crlf_bom.txt'), 'utf8')).toBe('content of crlf_bom\n');

  // Each failure is in the status file with its reason; the status file is valid.
  const st = Object.fromEntries(parseStatusFile(readFileSync(path.join(root, 'jobs/_jobstatus.json'), 'utf8')).map((e) => [e.id, e]));
  for (const [id, c] of Object.entries(cases)) {
    expect(st[id].status).toBe('fail');
    expect(st[id].error).toMatch(new RegExp(c.expect));
  }
  // Nothing was written outside the project, nor into .git/, nor over the edited files at a guess.
  expect(listAll(outside).filter((p) => !p.startsWith('project/'))).toEqual(outsideBefore);
  expect(existsSync('/tmp/worksplit-escape.txt')).toBe(false);
  expect(existsSync(path.join(root, '.git'))).toBe(false);
  expect(readFileSync(path.join(root, 'src/edit_me.ts'), 'utf8')).toBe('const value = 1;\nlog(value);\nlog(value);\n');
  expect(readFileSync(path.join(root, 'src/edit_me2.ts'), 'utf8')).toBe('const value = 1;\nlog(value);\nlog(value);\n');
  expect(existsSync(path.join(root, 'out/llm_unclosed.txt'))).toBe(false);
}, 180_000);

test('a malformed worksplit.toml and a corrupt status file stop the run with the file named; the status file is backed up, not emptied', async () => {
  const { root } = setUp();
  const env = { TEMPORAL_ADDRESS: t.h.address };
  const toml = readFileSync(path.join(root, 'worksplit.toml'), 'utf8');
  writeFileSync(path.join(root, 'worksplit.toml'), `${toml}\n[batch\nmax_concurrent = 2\n`);
  const badToml = await runCli(['--path', root, 'run'], env);
  expect(badToml.code).toBe(2);
  expect(badToml.output).toMatch(/error: worksplit\.toml: invalid TOML \(line \d+, column \d+\)/);
  writeFileSync(path.join(root, 'worksplit.toml'), toml);
  appendFileSync(path.join(root, 'worksplit.toml'), '\n[batch]\nmax_concurrent = "many"\n');
  const badValue = await runCli(['--path', root, 'validate'], env);
  expect(badValue.code).toBe(2);
  expect(badValue.output).toContain('worksplit.toml: batch.max_concurrent:');
  writeFileSync(path.join(root, 'worksplit.toml'), toml);

  const corrupt = '[{"id": "good", "status": "pass", ';
  writeFileSync(path.join(root, 'jobs/_jobstatus.json'), corrupt);
  const r = await runCli(['--path', root, 'run'], env);
  expect(r.code).toBe(2);
  expect(r.output).toMatch(/jobs\/_jobstatus\.json is not a valid status file .* a copy saved to jobs\/_jobstatus\.json\.corrupt-/);
  expect(readFileSync(path.join(root, 'jobs/_jobstatus.json'), 'utf8')).toBe(corrupt);
  expect(readdirSync(path.join(root, 'jobs')).some((n) => n.startsWith('_jobstatus.json.corrupt-'))).toBe(true);
  expect((await runCli(['--path', root, 'status'], env)).code).toBe(2);
});
