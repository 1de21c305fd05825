// The batch workflow against the real Temporal dev server and the Ollama-protocol test server:
// sliding-window concurrency, dependency order, status file and files on disk.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { runBatch } from '../support/harness';
import { readStatuses, useServers } from '../support/servers';
import { makeProject, simpleJob } from '../support/project';
import { block, contentFor, isVerification, jobOf, passingReplies } from '../support/replies';

const t = useServers();

test('8 independent jobs at max_concurrent 3: never more than 3 generations at once, 3 at once seen, all pass', async () => {
  t.ollama.respond = passingReplies({ latencyMs: 150, tokenDelayMs: 5 });
  const ids = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
  const root = makeProject({ ollamaUrl: t.ollama.url, jobs: Object.fromEntries(ids.map((id) => [id, simpleJob(id)])) });

  const r = await runBatch(t.h, root, { overrides: { maxConcurrent: 3 } });

  expect(r.totals).toMatchObject({ total: 8, passed: 8, failed: 0, skipped: 0, cancelled: 0 });
  expect(t.ollama.maxInFlight).toBe(3);
  expect(t.ollama.calls()).toHaveLength(16); // one generation and one verification each
  for (const id of ids) {
    expect(readFileSync(path.join(root, 'out', `${id}.txt`), 'utf8')).toBe(`${contentFor(id)}\n`);
  }
  const st = readStatuses(root);
  for (const id of ids) expect(st[id]).toMatchObject({ status: 'pass', ran: true });
  expect(r.tokens.calls).toBe(16);
  expect(r.tokens.outputTokens).toBeGreaterThan(0);
});

test('a chain and a diamond: no generation starts before its dependencies passed', async () => {
  const fast = passingReplies({ latencyMs: 50 });
  const slow = passingReplies({ latencyMs: 700 });
  t.ollama.respond = (req) => (jobOf(req) === 'c1' ? slow(req) : fast(req));
  // chain: c1 -> c2 -> c3 (through context files); diamond: top -> left, right -> bottom
  const root = makeProject({
    ollamaUrl: t.ollama.url,
    jobs: {
      c1: simpleJob('c1'),
      c2: simpleJob('c2', { context_files: ['out/c1.txt'] }),
      c3: simpleJob('c3', { context_files: ['out/c2.txt'] }),
      top: simpleJob('top'),
      left: simpleJob('left', { context_files: ['out/top.txt'] }),
      right: simpleJob('right', { depends_on: ['top'] }),
      bottom: simpleJob('bottom', { context_files: ['out/left.txt', 'out/right.txt'] }),
    },
  });
  const r = await runBatch(t.h, root, { overrides: { maxConcurrent: 4 } });
  expect(r.totals.passed).toBe(7);

  const calls = t.ollama.calls();
  const firstGen = (id: string) => calls.find((c) => jobOf(c) === id && !isVerification(c))!;
  const lastEnd = (id: string) => Math.max(...calls.filter((c) => jobOf(c) === id).map((c) => c.endedAt!));
  const order: Array<[string, string]> = [['c1', 'c2'], ['c2', 'c3'], ['top', 'left'], ['top', 'right'], ['left', 'bottom'], ['right', 'bottom']];
  for (const [dep, job] of order) expect(firstGen(job).startedAt).toBeGreaterThanOrEqual(lastEnd(dep));
  // A dependency's output is the dependent's context.
  expect(firstGen('c2').user).toContain(contentFor('c1'));
  // Jobs start when their own dependencies pass, not when their whole group has: c1 is slow, yet
  // left and right (same group as c2) start while c1 still runs.
  expect(firstGen('left').startedAt).toBeLessThan(lastEnd('c1'));
  expect(firstGen('right').startedAt).toBeLessThan(lastEnd('c1'));
});

test('verification FAIL then PASS: the second generation prompt holds the reason and the previous output', async () => {
  let verifications = 0;
  t.ollama.respond = (req) => {
    const id = jobOf(req);
    if (isVerification(req)) return { content: ++verifications === 1 ? 'FAIL: the function is missing its return type' : 'PASS' };
    return { content: block(`out/${id}.txt`, req.user.includes('[PREVIOUS ATTEMPT]') ? 'second try' : 'first try') };
  };
  const root = makeProject({ ollamaUrl: t.ollama.url, jobs: { only: simpleJob('only') } });
  const r = await runBatch(t.h, root);
  expect(r.totals.passed).toBe(1);
  expect(r.jobs.only.retried).toBe(true);
  const gens = t.ollama.calls().filter((c) => !isVerification(c));
  expect(gens).toHaveLength(2);
  expect(gens[1].user).toContain('the function is missing its return type');
  expect(gens[1].user).toContain('first try');
  expect(readFileSync(path.join(root, 'out/only.txt'), 'utf8')).toBe('second try\n');
});

test('verify: false skips verification; a second failure is final with the reason in the status file', async () => {
  t.ollama.respond = (req) => {
    const id = jobOf(req);
    if (isVerification(req)) return { content: 'FAIL_HARD: wrong algorithm' };
    return { content: block(`out/${id}.txt`, 'x') };
  };
  const root = makeProject({ ollamaUrl: t.ollama.url, jobs: { noverify: simpleJob('noverify', { verify: false }), strict: simpleJob('strict') } });
  const r = await runBatch(t.h, root);
  expect(r.jobs.noverify.state).toBe('passed');
  expect(r.jobs.strict.state).toBe('failed');
  expect(r.jobs.strict.reason).toContain('wrong algorithm');
  expect(t.ollama.calls().filter((c) => jobOf(c) === 'noverify')).toHaveLength(1);
  expect(t.ollama.calls().filter((c) => jobOf(c) === 'strict')).toHaveLength(4);
  const st = readStatuses(root);
  expect(st.strict).toMatchObject({ status: 'fail', ran: true });
  expect(st.strict.error).toContain('FAIL_HARD: wrong algorithm');
});
