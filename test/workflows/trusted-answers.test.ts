// What a model says ends as a clear pass or fail, through the real batch and job workflows:
// structured verdicts, text verdicts that never pass by accident, an answer built to wedge the
// parser, a stream line that is not JSON, and files written by a job that fails afterwards.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { runBatch } from '../support/harness';
import { readStatuses, useServers } from '../support/servers';
import type { RecordedRequest, Reply } from '../support/ollama-test-server';
import { makeProject, simpleJob } from '../support/project';
import { block, contentFor, isRetry, isVerification, jobOf } from '../support/replies';

const t = useServers();
const calls = (id: string) => t.ollama.calls().filter((c) => jobOf(c) === id);

/** Generations write out/<id>.txt; verifications answer `verdicts[id]` (every attempt). */
function verdictReplies(verdicts: Record<string, string | ((req: RecordedRequest) => string)>) {
  return (req: RecordedRequest): Reply => {
    const id = jobOf(req);
    if (!isVerification(req)) return { content: block(`out/${id}.txt`, contentFor(id)) };
    const v = verdicts[id] ?? 'PASS';
    return { content: typeof v === 'function' ? v(req) : v };
  };
}

// Measured on main 0ef9b4e: each was recorded as a pass.
const NOT_A_PASS = {
  plaintext: 'The code stores the password in plain text. Reject it.',
  bypass: 'Incorrect: this bypasses the validation the instructions asked for.',
  question: 'Should this pass? No. The function is missing.',
  rejected: 'Verdict: REJECTED. It would pass only with the missing function.',
  mistake: 'NO. Passing this would be a mistake; the file is empty.',
};

test('verification asks for a JSON verdict; the texts that used to pass fail their jobs, a plain or JSON PASS passes', async () => {
  t.ollama.respond = verdictReplies({ ...NOT_A_PASS, plain: 'PASS', json: '{"verdict": "PASS", "reason": "complete"}' });
  const ids = [...Object.keys(NOT_A_PASS), 'plain', 'json'];
  const root = makeProject({ ollamaUrl: t.ollama.url, jobs: Object.fromEntries(ids.map((id) => [id, simpleJob(id)])) });
  const r = await runBatch(t.h, root);
  for (const id of Object.keys(NOT_A_PASS)) {
    expect([id, r.jobs[id].state]).toEqual([id, 'failed']);
    expect(r.jobs[id].reason).toMatch(/^verification failed after the retry/);
  }
  expect(r.jobs.plain.state).toBe('passed');
  expect(r.jobs.json.state).toBe('passed');
  // Every verification sent the schema and asked for JSON; no generation did.
  const all = t.ollama.calls();
  for (const c of all.filter(isVerification)) {
    expect(c.body.format).toMatchObject({ type: 'object', properties: { verdict: { enum: ['PASS', 'FAIL'] } }, required: ['reason', 'verdict'] });
    expect(c.system).toContain('JSON');
  }
  expect(all.filter((c) => !isVerification(c)).every((c) => c.body.format === undefined)).toBe(true);
  // The answer's length is bounded by the room kept for it (num_predict from max_output_lines).
  expect(all.every((c) => typeof (c.body.options as { num_predict?: unknown }).num_predict === 'number')).toBe(true);
});

test('a JSON FAIL feeds its reason to the retry; [ollama] verdicts = "text" sends no schema and reads words', async () => {
  let verified = 0;
  t.ollama.respond = verdictReplies({
    fails: () => (verified++ > 0 ? '{"verdict":"PASS","reason":"ok"}' : '{"verdict":"FAIL","reason":"parse() is missing"}'),
  });
  const root = makeProject({ ollamaUrl: t.ollama.url, jobs: { fails: simpleJob('fails') } });
  const r = await runBatch(t.h, root);
  expect(r.jobs.fails).toMatchObject({ state: 'passed', retried: true });
  const retry = calls('fails').find((c) => !isVerification(c) && isRetry(c));
  expect(retry?.user).toContain('FAIL: parse() is missing');

  t.ollama.resetStats();
  t.ollama.respond = verdictReplies({ reject: NOT_A_PASS.plaintext, plain: 'PASS' });
  const text = makeProject({ ollamaUrl: t.ollama.url, ollamaToml: 'verdicts = "text"\n', jobs: { reject: simpleJob('reject'), plain: simpleJob('plain') } });
  const r2 = await runBatch(t.h, text);
  expect(r2.jobs.reject.state).toBe('failed');
  expect(r2.jobs.plain.state).toBe('passed');
  const verifications = t.ollama.calls().filter(isVerification);
  expect(verifications.length).toBeGreaterThan(0);
  expect(verifications.every((c) => c.body.format === undefined && c.system.includes('verdict word'))).toBe(true);
});

test('an answer built to wedge the parser (255,000 spaces in a block line) fails its job with a reason; the others pass and a later run completes', async () => {
  const wedge = `${block('out/wedge.txt', 'fine')}~~~worksplit:a${' '.repeat(255_000)}b\n`;
  t.ollama.respond = (req) => (jobOf(req) === 'wedge' && !isVerification(req) ? { content: wedge, chunks: 4 } : verdictReplies({})(req));
  const root = makeProject({ ollamaUrl: t.ollama.url, toml: '[limits]\nmax_file_bytes = 524288\n', jobs: { wedge: simpleJob('wedge'), ok1: simpleJob('ok1'), ok2: simpleJob('ok2') } });
  const r = await runBatch(t.h, root);
  expect(r.jobs.wedge.state).toBe('failed');
  expect(r.jobs.wedge.reason).toMatch(/no closing "~~~worksplit" line/);
  expect(r.jobs.ok1.state).toBe('passed');
  expect(r.jobs.ok2.state).toBe('passed');
  const status = readStatuses(root);
  expect(status.wedge.status).toBe('fail');
  // A later run finds nothing left to do and ends; nothing is stuck in a pending state.
  const again = await runBatch(t.h, root);
  expect(again.totals.total).toBe(0);
  expect(Object.values(readStatuses(root)).every((e) => !e.status.startsWith('pending'))).toBe(true);
});

test('a stream line that is not JSON fails that call (retried), is never printed, and no text of it reaches a file', async () => {
  const warn = jest.spyOn(console, 'warn');
  const evil = '\u001b]0;owned\u0007\u001b[2Jnot json';
  let broken = 0;
  t.ollama.respond = (req) => {
    if (jobOf(req) === 'cut' && !isVerification(req) && broken++ === 0) return { content: block('out/cut.txt', 'first second third'), notJsonLine: evil };
    return verdictReplies({})(req);
  };
  try {
    const root = makeProject({ ollamaUrl: t.ollama.url, jobs: { cut: simpleJob('cut') } });
    const r = await runBatch(t.h, root);
    expect(r.jobs.cut.state).toBe('passed');
    expect(broken).toBe(2);
    expect(calls('cut').filter((c) => !isVerification(c))).toHaveLength(2);
    expect(readFileSync(path.join(root, 'out/cut.txt'), 'utf8')).toBe(`${contentFor('cut')}\n`);
    expect(warn.mock.calls.flat().join(' ')).not.toContain('not json');
  } finally {
    warn.mockRestore();
  }
});

test('files written before the job fails (its verify prompt does not fit) are in its status entry and its result', async () => {
  const many = Array.from({ length: 40 }, (_, i) => `~~~worksplit:out/part${i}.txt\n${'x'.repeat(2000)}\n~~~worksplit`).join('\n');
  t.ollama.respond = (req) => (isVerification(req) ? { content: 'PASS' } : { content: `${many}\n${block('out/big.txt', 'main')}` });
  // The verify prompt shows all 41 files (~80 KB): over max_prompt_tokens and over the model's
  // context, whichever of the two limits refuses it.
  t.ollama.ollama = { contextLength: 8192 };
  try {
    const root = makeProject({ ollamaUrl: t.ollama.url, toml: '[limits]\nmax_prompt_tokens = 10000\n', jobs: { big: simpleJob('big') } });
    const r = await runBatch(t.h, root);
    expect(r.jobs.big.state).toBe('failed');
    const expected = ['out/big.txt', ...Array.from({ length: 40 }, (_, i) => `out/part${i}.txt`)].sort();
    expect([...(r.jobs.big.outputs ?? [])].sort()).toEqual(expected);
    expect([...(readStatuses(root).big.written_files ?? [])].sort()).toEqual(expected);
  } finally {
    t.ollama.ollama = {};
  }
});

test('a model that rambles on is stopped at num_predict (from max_output_lines) and the job fails saying so; an edit answer gets room for its FIND text too', async () => {
  const ramble = Array.from({ length: 400 }, (_, i) => `word${i}`).join(' ');
  t.ollama.respond = (req) => {
    if (isVerification(req)) return { content: 'PASS' };
    if (jobOf(req) === 'rambles') return { content: `${block('out/rambles.txt', ramble)}` };
    return { content: 'FILE: src/e.ts\nFIND:\nconst a = 1;\nREPLACE:\nconst a = 2;\nEND\n' };
  };
  const root = makeProject({
    ollamaUrl: t.ollama.url,
    toml: '[limits]\nmax_output_lines = 5\n',
    files: { 'src/e.ts': 'const a = 1;\n', 'jobs/_systemprompt_edit.md': 'You edit code. (test edit prompt)\n' },
    jobs: { rambles: simpleJob('rambles'), edits: { fm: { mode: 'edit', target_files: ['src/e.ts'], output_dir: 'src', output_file: 'e.ts' } } },
  });
  const r = await runBatch(t.h, root);
  expect(r.jobs.rambles.state).toBe('failed');
  expect(r.jobs.rambles.reason).toMatch(/reached its length limit, 50 tokens \(num_predict, from max_output_lines\)/);
  expect([r.jobs.edits.state, r.jobs.edits.reason]).toEqual(['passed', undefined]);
  const predict = (id: string) => calls(id).filter((c) => !isVerification(c)).map((c) => (c.body.options as { num_predict: number }).num_predict);
  expect(predict('rambles')).toEqual([50]);
  expect(predict('edits')).toEqual([100]);
});

test('run --rerun after a failure: a job that needs the failed one (outside the run) is skipped with the reason, not run on what it left', async () => {
  t.ollama.respond = verdictReplies({ a: 'FAIL: wrong', b: 'PASS', c: 'PASS' });
  const root = makeProject({ ollamaUrl: t.ollama.url, jobs: { a: simpleJob('a'), b: simpleJob('b', { depends_on: ['a'] }), c: simpleJob('c', { depends_on: ['b'] }) } });
  const first = await runBatch(t.h, root);
  expect([first.jobs.a.state, first.jobs.b.state, first.jobs.c.state]).toEqual(['failed', 'skipped', 'skipped']);
  t.ollama.resetStats();
  const again = await runBatch(t.h, root, { selection: { rerun: true } });
  expect(Object.keys(again.jobs).sort()).toEqual(['b', 'c']);
  expect(again.jobs.b).toMatchObject({ state: 'skipped', reason: 'skipped: depends on a, whose last run did not pass (status fail; retry it with: worksplit retry a)' });
  expect(again.jobs.c).toMatchObject({ state: 'skipped', reason: 'skipped: depends on b, which was skipped' });
  expect(t.ollama.calls()).toHaveLength(0);
});
