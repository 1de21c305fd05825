// Failure handling of the batch: stop-on-fail cancels in-flight jobs and aborts their streams;
// without it, dependents of a failed job are skipped and independent jobs go on.
import { runBatch } from '../support/harness';
import { readStatuses, useServers } from '../support/servers';
import { makeProject, simpleJob } from '../support/project';
import { block, isVerification, jobOf } from '../support/replies';

const t = useServers();

test('stop-on-fail: the first failure aborts the others\' streams, nothing new starts, counts and status file agree', async () => {
  t.ollama.respond = (req) => {
    const id = jobOf(req);
    if (id === 'bad') {
      // Fails fast on both attempts: an answer with no code at all.
      return { content: 'I cannot do that.', latencyMs: 300 };
    }
    if (isVerification(req)) return { content: 'PASS' };
    // The others stream slowly: 400 chunks x 20 ms, so they are mid-stream when bad fails.
    return { content: block(`out/${id}.txt`, 'slow '.repeat(400)), chunks: 400, tokenDelayMs: 20 };
  };
  const ids = ['bad', 'slow1', 'slow2', 'wait1', 'wait2', 'wait3'];
  const root = makeProject({ ollamaUrl: t.ollama.url, jobs: Object.fromEntries(ids.map((id) => [id, simpleJob(id)])) });

  const r = await runBatch(t.h, root, { overrides: { maxConcurrent: 3, stopOnFail: true } });

  expect(r.jobs.bad.state).toBe('failed');
  expect(r.jobs.bad.reason).toMatch(/no code in the answer/);
  expect(r.jobs.slow1.state).toBe('cancelled');
  expect(r.jobs.slow2.state).toBe('cancelled');
  for (const id of ['wait1', 'wait2', 'wait3']) {
    expect(r.jobs[id].state).toBe('skipped');
    expect(r.jobs[id].reason).toContain('stop-on-fail');
  }
  expect(r.totals).toMatchObject({ total: 6, passed: 0, failed: 1, cancelled: 2, skipped: 3 });
  // The test server saw the slow streams aborted by the client, and no request from waiting jobs.
  const slowCalls = t.ollama.calls().filter((c) => jobOf(c).startsWith('slow'));
  expect(slowCalls.length).toBeGreaterThanOrEqual(2);
  expect(slowCalls.every((c) => c.aborted && !c.completed)).toBe(true);
  expect(t.ollama.calls().some((c) => jobOf(c).startsWith('wait'))).toBe(false);
  expect(t.ollama.inFlight).toBe(0);

  const st = readStatuses(root);
  expect(st.bad).toMatchObject({ status: 'fail', ran: true });
  for (const id of ['slow1', 'slow2']) {
    expect(st[id].status).toBe('created');
    expect(st[id].error).toContain('cancelled');
  }
  for (const id of ['wait1', 'wait2', 'wait3']) {
    expect(st[id].status).toBe('created');
    expect(st[id].error).toContain('stop-on-fail');
  }
});

test('without stop-on-fail: dependents of the failed job are skipped with the reason, independent jobs pass', async () => {
  t.ollama.respond = (req) => {
    const id = jobOf(req);
    if (isVerification(req)) return { content: id === 'root' ? 'FAIL: broken' : 'PASS' };
    return { content: block(`out/${id}.txt`, `content of ${id}`) };
  };
  const root = makeProject({
    ollamaUrl: t.ollama.url,
    jobs: {
      root: simpleJob('root'),
      child: simpleJob('child', { context_files: ['out/root.txt'] }),
      grandchild: simpleJob('grandchild', { depends_on: ['child'] }),
      free1: simpleJob('free1'),
      free2: simpleJob('free2'),
    },
  });
  const r = await runBatch(t.h, root, { overrides: { maxConcurrent: 2 } });
  expect(r.totals).toMatchObject({ total: 5, passed: 2, failed: 1, skipped: 2, cancelled: 0 });
  expect(r.jobs.child.reason).toBe('skipped: depends on root, which failed');
  expect(r.jobs.grandchild.reason).toBe('skipped: depends on child, which was skipped');
  expect(t.ollama.calls().some((c) => ['child', 'grandchild'].includes(jobOf(c)))).toBe(false);
  const st = readStatuses(root);
  expect(st.root.status).toBe('fail');
  expect(st.child).toMatchObject({ status: 'created' });
  expect(st.child.error).toContain('depends on root');
  expect(st.free1.status).toBe('pass');
});

test('an invalid job fails with its file and field named; the others run', async () => {
  t.ollama.respond = (req) => (isVerification(req) ? { content: 'PASS' } : { content: block(`out/${jobOf(req)}.txt`, 'ok') });
  const root = makeProject({
    ollamaUrl: t.ollama.url,
    jobs: {
      good: simpleJob('good'),
      broken: { fm: { mode: 'create', output_dir: 'out', output_file: 'x.txt' } },
      needsbroken: simpleJob('needsbroken', { depends_on: ['broken'] }),
    },
  });
  const r = await runBatch(t.h, root);
  expect(r.jobs.good.state).toBe('passed');
  expect(r.jobs.broken.state).toBe('failed');
  expect(r.jobs.broken.reason).toMatch(/jobs\/broken\.md: mode: must be one of/);
  expect(r.jobs.needsbroken.state).toBe('skipped');
  expect(readStatuses(root).broken.error).toMatch(/jobs\/broken\.md: mode/);
});

test('model not found is a clear, non-retried job failure naming the model', async () => {
  t.ollama.respond = () => ({ content: 'PASS' });
  const root = makeProject({ ollamaUrl: t.ollama.url, model: 'no-such-model:7b', jobs: { one: simpleJob('one') } });
  const r = await runBatch(t.h, root);
  expect(r.jobs.one.state).toBe('failed');
  expect(r.jobs.one.reason).toContain('no-such-model:7b');
  expect(r.jobs.one.reason).toContain('ollama pull');
  // /api/show, asked before the first call, already says so: no chat request is made.
  expect(t.ollama.calls()).toHaveLength(0);
});
