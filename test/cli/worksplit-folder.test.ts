// A WorkSplit-shaped folder (test/fixtures/worksplit-folder) runs unchanged through the built CLI:
// inferred dependencies that form a cycle and jobs sharing an output file are warnings (those jobs
// run one at a time in job-id order), a multi-file answer writes every file it names, a prompt
// over max_prompt_tokens (once a refusal, now a warning) runs under a model whose context holds
// it, and long ids keep `status -v` readable.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseStatusFile } from '../../core/status';
import { OllamaTestServer, RecordedRequest, Reply } from '../support/ollama-test-server';
import { runCli } from '../support/processes';
import { block, isVerification, jobOf } from '../support/replies';

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'worksplit-folder');
const env = () => ({ TEMPORAL_ADDRESS: process.env.WORKSPLIT_TEST_TEMPORAL_ADDRESS! });

let ollama: OllamaTestServer;
let root: string;
beforeAll(async () => {
  ollama = await new OllamaTestServer().start();
  root = path.join(mkdtempSync(path.join(process.env.WORKSPLIT_TEST_TMP!, 'wsfolder-')), 'project');
  cpSync(FIXTURE, root, { recursive: true });
  // The context file of big_001 is about 3,300 tokens (characters / 4): over this max_prompt_tokens,
  // which once refused it; the test server's model has a context of 32,768 tokens, which holds it.
  // The others are far under it.
  writeFileSync(
    path.join(root, 'worksplit.toml'),
    `[ollama]\nurl = "${ollama.url}"\n\n[limits]\nmax_prompt_tokens = 3000\n\n[batch]\nmax_concurrent = 8\n\n[temporal]\ntask_queue = "wsfolder-${process.pid}"\nheartbeat_seconds = 3\nactivity_seconds = 10\n`,
  );
});
afterAll(async () => {
  await ollama.stop();
});

/** What the model answers for each job: its declared file, or several files. */
const ANSWERS: Record<string, string> = {
  models_001_split: [block('src/models/user.ts', 'export interface User { name: string }'), block('src/models/role.ts', 'export type Role = "admin" | "user";'), block('src/models/mod.ts', "export * from './user';\nexport * from './role';")].join('\n'),
  models_002_docs: [block('src/models/permissions.ts', 'export type Permission = string;'), block('docs/permissions.md', '# Permissions')].join('\n'),
};
const DECLARED: Record<string, string> = {
  core_001_types: 'src/types.ts',
  core_002_registry: 'src/registry.ts',
  core_003_loader: 'src/loader.ts',
  errors_001_basic: 'src/errors.ts',
  errors_002_suggestions: 'src/errors.ts',
  integration_004_status_tracking_for_long_identifiers: 'src/tracking.ts',
  big_001_over_budget_context: 'src/big_summary.ts',
};

function respond(req: RecordedRequest): Reply {
  const id = jobOf(req);
  // Some latency, so jobs that were allowed to overlap would interleave their requests.
  if (isVerification(req)) return { content: 'PASS', latencyMs: 30 };
  return { content: ANSWERS[id] ?? block(DECLARED[id], `// written by ${id}`), latencyMs: 30 };
}

const CYCLE = ['core_001_types', 'core_002_registry', 'core_003_loader'];
const SHARED = ['errors_001_basic', 'errors_002_suggestions'];

test('validate warns, naming the jobs and files of the inferred cycle and of the shared file; warnings alone exit 0', async () => {
  const v = await runCli(['--path', root, 'validate'], env());
  expect(v.output).toContain('warning: jobs errors_001_basic and errors_002_suggestions both write src/errors.ts; they run one at a time in job-id order');
  expect(v.output).toContain(
    'warning: jobs core_001_types, core_002_registry and core_003_loader: dependencies inferred from their files form a cycle (core_001_types -> core_002_registry -> core_003_loader -> core_001_types: core_001_types reads src/registry.ts, written by core_002_registry; core_002_registry reads src/loader.ts, written by core_003_loader; core_003_loader reads src/types.ts, written by core_001_types); they run one at a time in job-id order: core_001_types, core_002_registry, core_003_loader',
  );
  // max_prompt_tokens is a warning threshold: the prompt over it is no problem, as the model's
  // context (32,768) holds it.
  expect(v.output).toMatch(/warning: jobs\/big_001_over_budget_context\.md: prompt is about \d+ tokens, 1\d\d% of max_prompt_tokens \(3000\); consider splitting the job/);
  expect(v.output).toMatch(/ {2}big_001_over_budget_context: prompt about \d+ tokens -> num_ctx 16384\n/);
  expect(v.output).not.toContain('✖');
  expect(v.output).toContain('are valid');
  expect(v.code).toBe(0);
});

test('deps shows which inferred edges were dropped and why, and the order that replaces them', async () => {
  const d = await runCli(['--path', root, 'deps'], env());
  expect(d.output).toContain('Inferred dependencies dropped');
  expect(d.output).toContain('core_001_types <- core_002_registry: core_001_types reads src/registry.ts, written by core_002_registry (cycle: core_001_types, core_002_registry, core_003_loader)');
  expect(d.output).toContain('core_003_loader <- core_001_types: core_003_loader reads src/types.ts, written by core_001_types');
  expect(d.output).toMatch(/^ {2}core_002_registry after core_001_types$/m);
  expect(d.output).toMatch(/^ {2}errors_002_suggestions after errors_001_basic$/m);
  // Jobs rewriting a file they read are ordered, not a cycle.
  expect(d.output).not.toMatch(/errors_00\d_\w+ <- /);
  expect(d.code).toBe(0);
  const dry = await runCli(['--path', root, 'run', '--dry-run'], env());
  expect(dry.output).toContain('both write src/errors.ts');
  expect(dry.code).toBe(0);
});

test('preview of a job over max_prompt_tokens shows the prompt with the warning and exits 0', async () => {
  const p = await runCli(['--path', root, 'preview', 'big_001_over_budget_context'], env());
  expect(p.output).toContain('=== user ===');
  expect(p.output).toContain('entry_0299_with_a_descriptive_name: 299,');
  expect(p.output).toMatch(/warning: prompt is about \d+ tokens, \d+% of max_prompt_tokens \(3000\); consider splitting the job/);
  expect(p.output).not.toMatch(/refuses/);
  expect(p.code).toBe(0);
});

test('run: every job passes, the one over max_prompt_tokens with a warning; shared-file and cycle jobs never overlap; a multi-file answer is written, verified and recorded', async () => {
  ollama.respond = respond;
  ollama.resetStats();
  const r = await runCli(['--path', root, 'run'], env());
  expect(r.output).toContain('Batch done: 9 passed, 0 failed, 0 skipped, 0 cancelled (of 9).');
  expect(r.output).toMatch(/warning: big_001_over_budget_context prompt is about \d+ tokens, \d+% of max_prompt_tokens \(3000\)/);
  expect(r.code).toBe(0);
  expect(readFileSync(path.join(root, 'src/big_summary.ts'), 'utf8')).toBe('// written by big_001_over_budget_context\n');

  // Jobs of the cycle, and the two writers of src/errors.ts, ran one at a time in id order.
  const seqs = (id: string) => ollama.calls().filter((c) => jobOf(c) === id).map((c) => c.seq);
  for (const chain of [CYCLE, SHARED]) {
    for (let i = 1; i < chain.length; i++) expect(Math.max(...seqs(chain[i - 1]))).toBeLessThan(Math.min(...seqs(chain[i])));
  }
  expect(readFileSync(path.join(root, 'src/errors.ts'), 'utf8')).toBe('// written by errors_002_suggestions\n');
  // The later writer read the file as the earlier one left it.
  const second = ollama.calls().find((c) => jobOf(c) === 'errors_002_suggestions' && !isVerification(c))!;
  expect(second.user).toContain('// written by errors_001_basic');

  // README's multi-file output: all three files written and shown to the verifier.
  for (const f of ['user', 'role', 'mod']) expect(readFileSync(path.join(root, `src/models/${f}.ts`), 'utf8')).toContain('export');
  const verify = ollama.calls().find((c) => jobOf(c) === 'models_001_split' && isVerification(c))!;
  for (const f of ['src/models/user.ts', 'src/models/role.ts', 'src/models/mod.ts']) expect(verify.user).toContain(`### File: ${f}`);
  const status = Object.fromEntries(parseStatusFile(readFileSync(path.join(root, 'jobs/_jobstatus.json'), 'utf8')).map((e) => [e.id, e]));
  expect(status.models_001_split).toMatchObject({ status: 'pass', written_files: ['src/models/user.ts', 'src/models/role.ts', 'src/models/mod.ts'] });
  expect(status.models_002_docs.written_files).toEqual(['src/models/permissions.ts', 'docs/permissions.md']);
  expect(status.big_001_over_budget_context.status).toBe('pass');

  // The summary lists every file each job wrote, and warns about the one outside output_dir.
  expect(r.output).toContain('  models_001_split: src/models/user.ts, src/models/role.ts, src/models/mod.ts');
  expect(r.output).toContain('  core_002_registry: src/registry.ts');
  expect(r.output).toContain('warning: models_002_docs wrote docs/permissions.md, outside its output_dir src/models');
  expect(r.output).not.toMatch(/models_001_split wrote .* outside/);

  const json = JSON.parse((await runCli(['--path', root, 'status', '--json'], env())).output);
  expect(json.jobs.find((j: { id: string }) => j.id === 'models_001_split').written_files).toHaveLength(3);
});

test('status -v keeps a space between an id longer than 28 characters and its status', async () => {
  const s = await runCli(['--path', root, '-v', 'status'], env());
  const rows = s.output.split('\n').filter((l) => /^\S+ +\S/.test(l) && !/passed,/.test(l));
  expect(rows).toHaveLength(9);
  const statusColumn = new Set(rows.map((l) => l.search(/ (pass|fail)\b/)));
  // One column for every row, right after the longest id.
  expect([...statusColumn]).toEqual(['integration_004_status_tracking_for_long_identifiers'.length]);
  expect(rows.find((l) => l.startsWith('integration_004'))).toMatch(/^integration_004_status_tracking_for_long_identifiers pass/);
  expect(s.code).toBe(0);
});
