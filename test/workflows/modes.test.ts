// Every job mode through the real batch and job workflows: what each call's prompt holds, what
// lands on disk, and the status the job ends in.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { runBatch } from '../support/harness';
import { readStatuses, useServers } from '../support/servers';
import { RecordedRequest, Reply } from '../support/ollama-test-server';
import { makeProject, simpleJob } from '../support/project';
import { block, isVerification, jobOf } from '../support/replies';

const t = useServers();

const read = (root: string, p: string) => readFileSync(path.join(root, p), 'utf8');
const status = readStatuses;
/** Answer each job's calls in order from a script; verifications default to PASS. */
function scripted(script: Record<string, Array<string | Reply>>) {
  const seen = new Map<string, number>();
  return (req: RecordedRequest): Reply => {
    const id = jobOf(req);
    const n = seen.get(id) ?? 0;
    seen.set(id, n + 1);
    const r = script[id]?.[n];
    if (r === undefined) return { content: isVerification(req) ? 'PASS' : `(no scripted reply ${n} for ${id})` };
    return typeof r === 'string' ? { content: r } : r;
  };
}
const calls = (id: string) => t.ollama.calls().filter((c) => jobOf(c) === id);

test('multi-file replace: several blocks, a block without a path, a language tag, nested fences stripped', async () => {
  t.ollama.respond = scripted({
    multi: ['~~~worksplit:src/a.ts\n```ts\nexport const a = 1;\n```\n~~~worksplit\n\n~~~worksplit typescript\nexport const main = 0;\n~~~worksplit\n'],
    fallback: ['Sure:\n```rust\nfn main() {}\n```'],
  });
  const root = makeProject({
    ollamaUrl: t.ollama.url,
    jobs: {
      multi: { fm: { output_dir: 'src', output_file: 'main.ts', output_files: ['src/a.ts', 'src/main.ts'] } },
      fallback: { fm: { output_dir: 'src', output_file: 'main.rs' } },
    },
  });
  const r = await runBatch(t.h, root);
  expect(r.totals.passed).toBe(2);
  expect(read(root, 'src/a.ts')).toBe('export const a = 1;\n');
  expect(read(root, 'src/main.ts')).toBe('export const main = 0;\n');
  expect(read(root, 'src/main.rs')).toBe('fn main() {}\n');
  // One verification covers both files of the multi-file job.
  expect(calls('multi').filter(isVerification)[0].user).toMatch(/### File: src\/a\.ts[\s\S]*### File: src\/main\.ts/);
});

test('sequential: one call per file, earlier files and the remaining list in each prompt, one verification', async () => {
  t.ollama.respond = scripted({ seq: [block('src/one.ts', 'ONE'), block('src/two.ts', 'TWO'), block('src/three.ts', 'THREE')] });
  const root = makeProject({ ollamaUrl: t.ollama.url, jobs: { seq: { fm: { output_dir: 'src', output_file: 'one.ts', output_files: ['src/one.ts', 'src/two.ts', 'src/three.ts'], sequential: true } } } });
  const r = await runBatch(t.h, root);
  expect(r.jobs.seq.state).toBe('passed');
  const [c1, c2, c3, v] = calls('seq');
  expect(c1.user).toContain('[REMAINING FILES]\n- src/two.ts\n- src/three.ts');
  expect(c1.user).not.toContain('[PREVIOUSLY GENERATED IN THIS JOB]');
  expect(c2.user).toMatch(/\[PREVIOUSLY GENERATED IN THIS JOB\]\n### File: src\/one\.ts\n```\nONE/);
  expect(c3.user).toContain('### File: src/two.ts');
  expect(c3.user).toContain('(none: this is the last file)');
  expect(isVerification(v)).toBe(true);
  expect(calls('seq')).toHaveLength(4);
  expect(['src/one.ts', 'src/two.ts', 'src/three.ts'].map((p) => read(root, p))).toEqual(['ONE\n', 'TWO\n', 'THREE\n']);
});

test('edit: line-numbered targets, exact and whitespace-normalized FIND, verify-edit prompt with fallback', async () => {
  t.ollama.respond = scripted({ ed: ['FILE: src/x.ts\nFIND:\nconst a = 1;\nREPLACE:\nconst a = 2;\nEND\nFIND:\nfunction  f() {\n  return a;\nREPLACE:\nfunction f() {\n    return a * 10;\nEND\n'] });
  const root = makeProject({
    ollamaUrl: t.ollama.url,
    files: { 'src/x.ts': 'const a = 1;\nfunction f() {\n    return a;\n}\n', 'jobs/_systemprompt_edit.md': 'EDIT RULES\n' },
    jobs: { ed: { fm: { mode: 'edit', output_dir: 'src', output_file: 'x.ts' } } },
  });
  const r = await runBatch(t.h, root);
  expect(r.jobs.ed.state).toBe('passed');
  expect(read(root, 'src/x.ts')).toBe('const a = 2;\nfunction f() {\n    return a * 10;\n}\n');
  const [gen, verify] = calls('ed');
  expect(gen.user).toContain('EDIT RULES');
  expect(gen.user).toContain('[TARGET FILES]\n### File: src/x.ts\n```\n1 | const a = 1;\n2 | function f() {');
  // No _systemprompt_verify_edit.md: the verify prompt is the fallback.
  expect(verify.user).toContain('You review code strictly. (test verify prompt)');
});

test('edit: FINDs that match nothing or twice are never applied at a guess; the job ends partial with partial_state', async () => {
  const answer = 'FILE: src/x.ts\nFIND:\nlet good = 0;\nREPLACE:\nlet good = 1;\nEND\nFIND:\ndup();\nREPLACE:\nonce();\nEND\nFIND:\nnot there\nREPLACE:\nx\nEND\n';
  const retry = 'FILE: src/x.ts\nFIND:\ndup();\nREPLACE:\nonce();\nEND\n';
  t.ollama.respond = scripted({ part: [answer, retry] });
  const root = makeProject({
    ollamaUrl: t.ollama.url,
    files: { 'src/x.ts': 'let good = 0;\ndup();\ndup();\n', 'jobs/_systemprompt_edit.md': 'EDIT\n' },
    jobs: { part: { fm: { mode: 'edit', output_dir: 'src', output_file: 'x.ts' } } },
  });
  const r = await runBatch(t.h, root);
  expect(r.jobs.part.state).toBe('failed');
  expect(r.jobs.part.reason).toMatch(/1 edit\(s\) did not apply: src\/x\.ts "dup\(\);": FIND matches 2 places/);
  // The retry was told what failed, and saw the file with the good edit applied.
  expect(calls('part')[1].user).toContain('these edits did not apply');
  expect(calls('part')[1].user).toContain('1 | let good = 1;');
  expect(read(root, 'src/x.ts')).toBe('let good = 1;\ndup();\ndup();\n');
  const st = status(root).part;
  expect(st.status).toBe('partial');
  expect(st.partial_state).toEqual({ successful_edits: ['src/x.ts: let good = 0;'], failed_edits: [{ file: 'src/x.ts', find_preview: 'dup();', reason: expect.stringMatching(/matches 2 places/) }] });
});

test('edit: a block for a file that is not a target is rejected', async () => {
  t.ollama.respond = scripted({ sneaky: ['FILE: src/other.ts\nFIND:\na\nREPLACE:\nb\nEND\n'] });
  const root = makeProject({
    ollamaUrl: t.ollama.url,
    files: { 'src/x.ts': 'a\n', 'src/other.ts': 'a\n', 'jobs/_systemprompt_edit.md': 'EDIT\n' },
    jobs: { sneaky: { fm: { mode: 'edit', output_dir: 'src', output_file: 'x.ts' } } },
  });
  const r = await runBatch(t.h, root);
  expect(r.jobs.sneaky.reason).toMatch(/does not declare/);
  expect(read(root, 'src/other.ts')).toBe('a\n');
});

test('split: one call per part, the target and earlier parts in each prompt', async () => {
  t.ollama.respond = scripted({ sp: [block('src/big/a.ts', 'PART A'), block('src/big/b.ts', 'PART B')] });
  const root = makeProject({
    ollamaUrl: t.ollama.url,
    files: { 'src/big.ts': 'function a() {}\nfunction b() {}\n', 'jobs/_systemprompt_split.md': 'SPLIT RULES\n' },
    jobs: { sp: { fm: { mode: 'split', target_file: 'src/big.ts', output_dir: 'src/big', output_file: 'a.ts', output_files: ['src/big/a.ts', 'src/big/b.ts'] } } },
  });
  const r = await runBatch(t.h, root);
  expect(r.jobs.sp.state).toBe('passed');
  const [p1, p2] = calls('sp');
  expect(p1.user).toContain('SPLIT RULES');
  expect(p1.user).toContain('[TARGET FILE TO SPLIT]\n### File: src/big.ts');
  expect(p2.user).toContain('[ALREADY GENERATED IN THIS SPLIT]\n### File: src/big/a.ts\n```\nPART A');
  expect(read(root, 'src/big/b.ts')).toBe('PART B\n');
});

test('TDD: tests first (pending_test), implementation with the tests as context, then the test command (pending_test_run)', async () => {
  const impl = 'export function slug(s) { return s.toLowerCase().replace(/ /g, "-"); }';
  const tests = "import { test } from 'node:test';\nimport assert from 'node:assert';\nimport { slug } from './slug.mjs';\ntest('slug', () => assert.equal(slug('A B'), 'a-b'));";
  t.ollama.respond = scripted({ tdd: [block('src/slug.test.mjs', tests), block('src/slug.mjs', impl)] });
  const root = makeProject({
    ollamaUrl: t.ollama.url,
    files: { 'jobs/_systemprompt_test.md': 'TEST RULES\n' },
    toml: '\n[build]\ntest_command = "node --test src/"\nverify_tests = true\n',
    jobs: { tdd: { fm: { output_dir: 'src', output_file: 'slug.mjs', test_file: 'slug.test.mjs' } } },
  });
  const r = await runBatch(t.h, root);
  expect(r.jobs.tdd.state).toBe('passed');
  const [testCall, implCall, verifyCall] = calls('tdd');
  expect(testCall.user).toContain('TEST RULES');
  expect(testCall.user).toContain('~~~worksplit:src/slug.test.mjs');
  expect(implCall.user).toContain('### File: src/slug.test.mjs');
  expect(implCall.user).toContain('~~~worksplit:src/slug.mjs');
  expect(isVerification(verifyCall)).toBe(true);
  expect(read(root, 'src/slug.test.mjs')).toBe(`${tests}\n`);
  expect(status(root).tdd.status).toBe('pass');
});

test('build verification with auto_fix: the model gets the command output, fixes the file, the build passes', async () => {
  t.ollama.respond = scripted({ b: [block('src/ok.txt', 'broken'), 'PASS', block('src/ok.txt', 'fixed')] });
  const root = makeProject({
    ollamaUrl: t.ollama.url,
    files: { 'jobs/_systemprompt_fix.md': 'FIX RULES\n' },
    toml: '\n[build]\nbuild_command = "grep -q fixed src/ok.txt || (echo \'expected fixed in src/ok.txt\' >&2; exit 3)"\nverify_build = true\nauto_fix = true\nauto_fix_attempts = 2\n',
    jobs: { b: { fm: { output_dir: 'src', output_file: 'ok.txt' } } },
  });
  const r = await runBatch(t.h, root);
  expect(r.jobs.b.state).toBe('passed');
  const fix = calls('b')[2];
  expect(fix.user).toContain('FIX RULES');
  expect(fix.user).toContain('expected fixed in src/ok.txt');
  expect(read(root, 'src/ok.txt')).toBe('fixed\n');
});

test('build still failing after the auto-fix attempts fails the job with the trimmed output', async () => {
  t.ollama.respond = scripted({ nb: [block('src/n.txt', 'x'), 'PASS', block('src/n.txt', 'y')] });
  const root = makeProject({
    ollamaUrl: t.ollama.url,
    files: { 'jobs/_systemprompt_fix.md': 'FIX\n' },
    toml: '\n[build]\nbuild_command = "echo compile error E0308 >&2; exit 1"\nverify_build = true\nauto_fix = true\nauto_fix_attempts = 1\n',
    jobs: { nb: { fm: { output_dir: 'src', output_file: 'n.txt' } } },
  });
  const r = await runBatch(t.h, root);
  expect(r.jobs.nb.state).toBe('failed');
  expect(r.jobs.nb.reason).toMatch(/build command failed \(exit 1\) after 1 auto-fix attempt\(s\)[\s\S]*compile error E0308/);
});

test('replace_pattern and update_fixtures change target files in place', async () => {
  t.ollama.respond = scripted({ pat: ['SCOPE: fn two\nAFTER: log(\nINSERT:\n    trace();\nEND\n'] });
  const root = makeProject({
    ollamaUrl: t.ollama.url,
    files: {
      'src/lib.rs': 'fn one() {\n    log("1");\n}\nfn two() {\n    log("2");\n}\n',
      'tests/fx.rs': 'let c = Config {\n    a: 1,\n};\n',
      'jobs/_systemprompt_edit.md': 'EDIT\n',
    },
    jobs: {
      pat: { fm: { mode: 'replace_pattern', target_files: ['src/lib.rs'], output_dir: 'src', output_file: 'lib.rs' } },
      fx: { fm: { mode: 'update_fixtures', target_files: ['tests/fx.rs'], struct_name: 'Config', new_field: 'b: None', output_dir: 'tests', output_file: 'fx.rs', verify: false } },
    },
  });
  const r = await runBatch(t.h, root);
  expect(r.totals.passed).toBe(2);
  expect(read(root, 'src/lib.rs')).toBe('fn one() {\n    log("1");\n}\nfn two() {\n    log("2");\n    trace();\n}\n');
  expect(read(root, 'tests/fx.rs')).toBe('let c = Config {\n    b: None,\n    a: 1,\n};\n');
  expect(calls('fx')).toHaveLength(0);
});

test('verification tiers: PASS_WITH_WARNINGS passes with the warnings kept; FAIL_SOFT retries; unclear answers fail hard', async () => {
  t.ollama.respond = scripted({
    warn: [block('out/warn.txt', 'w'), 'PASS_WITH_WARNINGS: unused variable x'],
    soft: [block('out/soft.txt', '1'), 'FAIL_SOFT: naming is off', block('out/soft.txt', '2'), 'PASS'],
    unclear: [block('out/unclear.txt', '1'), 'Hmm, hard to say.', block('out/unclear.txt', '2'), 'I am not sure.'],
  });
  const root = makeProject({ ollamaUrl: t.ollama.url, jobs: { warn: simpleJob('warn'), soft: simpleJob('soft'), unclear: simpleJob('unclear') } });
  const r = await runBatch(t.h, root);
  expect(r.jobs.warn).toMatchObject({ state: 'passed', reason: 'unused variable x' });
  expect(r.jobs.soft).toMatchObject({ state: 'passed', retried: true });
  expect(calls('soft')[2].user).toContain('FAIL_SOFT: naming is off');
  expect(r.jobs.unclear.state).toBe('failed');
  expect(r.jobs.unclear.reason).toContain('FAIL_HARD: unclear verification response');
});

test('limits: too many lines in a context file fails with advice to split; output over max_output_lines fails', async () => {
  t.ollama.respond = scripted({ long: [block('out/long.txt', 'a\nb\nc\nd')] });
  const root = makeProject({
    ollamaUrl: t.ollama.url,
    files: { 'big.txt': 'x\n'.repeat(20) },
    toml: '\n[limits]\nmax_context_lines = 10\nmax_output_lines = 3\n',
    jobs: { ctx: simpleJob('ctx', { context_files: ['big.txt'] }), long: simpleJob('long') },
  });
  const r = await runBatch(t.h, root);
  expect(r.jobs.ctx.reason).toMatch(/big\.txt has 20 lines, over max_context_lines \(10\); split it/);
  expect(r.jobs.long.reason).toMatch(/out\/long\.txt has 4 lines, over max_output_lines \(3\)/);
  expect(existsSync(path.join(root, 'out/long.txt'))).toBe(false);
  expect(calls('ctx')).toHaveLength(0);
});

test('max_output_lines limits what the model wrote: an edit job grows a long file past it; edits or insertions over it fail', async () => {
  // 40 lines each, over max_output_lines (10) before any edit.
  const long = Array.from({ length: 40 }, (_, i) => `line ${i + 1}`).join('\n') + '\n';
  t.ollama.respond = scripted({
    grow: ['FILE: src/long.txt\nFIND:\nline 20\nREPLACE:\nline 20\nnew a\nnew b\nEND\n'],
    big: [`FILE: src/big.txt\nFIND:\nline 5\nREPLACE:\n${'x\n'.repeat(12)}END\n`],
    pat: [`AFTER: line 3\nINSERT:\n${'y\n'.repeat(11)}END\n`],
    fewpat: ['AFTER: line 3\nINSERT:\ninserted\nEND\n'],
  });
  const root = makeProject({
    ollamaUrl: t.ollama.url,
    files: { 'src/long.txt': long, 'src/big.txt': long, 'src/pat.txt': long, 'src/fewpat.txt': long, 'jobs/_systemprompt_edit.md': 'EDIT RULES\n' },
    toml: '\n[limits]\nmax_output_lines = 10\n',
    jobs: {
      grow: { fm: { mode: 'edit', output_dir: 'src', output_file: 'long.txt' } },
      big: { fm: { mode: 'edit', output_dir: 'src', output_file: 'big.txt' } },
      pat: { fm: { mode: 'replace_pattern', target_files: ['src/pat.txt'], output_dir: 'src', output_file: 'pat.txt' } },
      fewpat: { fm: { mode: 'replace_pattern', target_files: ['src/fewpat.txt'], output_dir: 'src', output_file: 'fewpat.txt' } },
    },
  });
  const r = await runBatch(t.h, root);
  expect(r.jobs.grow.state).toBe('passed');
  expect(read(root, 'src/long.txt').split('\n')).toHaveLength(43);
  expect(read(root, 'src/long.txt')).toContain('line 20\nnew a\nnew b\nline 21\n');
  expect(r.jobs.fewpat.state).toBe('passed');
  expect(read(root, 'src/fewpat.txt')).toContain('line 3\ninserted\nline 4\n');
  expect(r.jobs.big.reason).toMatch(/^the edits to src\/big\.txt are 12 lines, over max_output_lines \(10\)/);
  expect(read(root, 'src/big.txt')).toBe(long);
  expect(r.jobs.pat.reason).toMatch(/^the insertions are 11 lines, over max_output_lines \(10\)/);
  expect(read(root, 'src/pat.txt')).toBe(long);
  expect(status(root).big.status).toBe('fail');
});

test('implicit context: outputs of the job\'s own dependencies fill free slots, never other jobs\' outputs', async () => {
  t.ollama.respond = scripted({
    dep: [{ content: block('out/dep.txt', 'DEP OUTPUT'), latencyMs: 100 }],
    other: [block('out/other.txt', 'OTHER OUTPUT')],
    user: [block('out/user.txt', 'u')],
  });
  // other finishes before user starts (one at a time, in id order), yet is not user's dependency.
  const root = makeProject({ ollamaUrl: t.ollama.url, jobs: { dep: simpleJob('dep'), other: simpleJob('other'), user: simpleJob('user', { depends_on: ['dep'] }) } });
  const r = await runBatch(t.h, root, { overrides: { maxConcurrent: 1 } });
  expect(r.totals.passed).toBe(3);
  const gen = calls('user')[0];
  expect(gen.user).toContain('### File: out/dep.txt\n```\nDEP OUTPUT');
  expect(gen.user).not.toContain('OTHER OUTPUT');
});

test('thinking models: the thinking stream is not part of the answer; a think-only stall is retried once', async () => {
  let thinkOnlyCalls = 0;
  t.ollama.respond = (req) => {
    const id = jobOf(req);
    if (isVerification(req)) return { content: 'PASS', thinking: 'let me check' };
    if (id === 'stuck' && thinkOnlyCalls++ === 0) return { thinking: 'hmm '.repeat(400), tokenDelayMs: 10, content: block('out/stuck.txt', 'late') };
    return { thinking: '~~~worksplit:out/evil.txt\nnot this\n~~~worksplit', content: block(`out/${id}.txt`, 'answer') };
  };
  const root = makeProject({ ollamaUrl: t.ollama.url, jobs: { thinker: simpleJob('thinker'), stuck: simpleJob('stuck') } });
  writeFileSync(path.join(root, 'worksplit.toml'), read(root, 'worksplit.toml').replace('stall_seconds = 20', 'stall_seconds = 2\nthink = false'));
  const r = await runBatch(t.h, root);
  expect(r.jobs.thinker.state).toBe('passed');
  expect(read(root, 'out/thinker.txt')).toBe('answer\n');
  expect(existsSync(path.join(root, 'out/evil.txt'))).toBe(false);
  expect(r.jobs.stuck.reason).toBeUndefined();
  expect(r.jobs.stuck.state).toBe('passed');
  const stuckGens = calls('stuck').filter((c) => !isVerification(c));
  expect(stuckGens).toHaveLength(2);
  expect(stuckGens[0].aborted).toBe(true);
  // [ollama] think = false is sent to the model.
  expect(calls('thinker').every((c) => c.body.think === false)).toBe(true);
});
