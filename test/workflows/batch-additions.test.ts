// Job files added or changed while a batch runs join it through the addJobs update, in the same
// batch execution: taken when they may run, refused with the reason when they conflict.
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { progressOf, startBatch, startWorkers, waitFor } from '../support/harness';
import { readStatuses, useServers } from '../support/servers';
import { jobText, makeProject, simpleJob } from '../support/project';
import { block, contentFor, isVerification, jobOf } from '../support/replies';
import { addJobsUpdate, cancelJobUpdate } from '../../workflows/messages';

const t = useServers();

test('mid-batch: a new job passes in the same execution; a cycle, a job needing a failed one and a change to a running job are refused with the reason', async () => {
  let slowRelease = false;
  t.ollama.respond = (req) => {
    const id = jobOf(req);
    if (isVerification(req)) return { content: id === 'bad' ? '{"verdict":"FAIL","reason":"wrong"}' : '{"verdict":"PASS","reason":"ok"}' };
    // "slow" holds the batch open until the test lets it finish.
    return { content: block(`out/${id}.txt`, contentFor(id)), latencyMs: id === 'slow' && !slowRelease ? 60_000 : 10 };
  };
  const root = makeProject({ ollamaUrl: t.ollama.url, toml: '[batch]\nmax_concurrent = 4\n', ollamaToml: 'first_byte_seconds = 120\n', jobs: { slow: simpleJob('slow'), bad: simpleJob('bad') } });
  const w = await startWorkers(t.h, root);
  try {
    const { handle } = await startBatch(t.h, root);
    const runId = (await handle.describe()).runId;
    await waitFor(async () => (await progressOf(handle)).jobs.bad?.state === 'failed', 30_000, 'bad to fail');
    const job = (id: string, fm: Record<string, unknown>) => writeFileSync(path.join(root, 'jobs', `${id}.md`), jobText({ fm: { output_dir: 'out', output_file: `${id}.txt`, ...fm } }, id));
    job('late', { context_files: [] });
    job('cyc1', { depends_on: ['cyc2'] });
    job('cyc2', { depends_on: ['cyc1'] });
    job('needsbad', { depends_on: ['bad'] });
    // The running job's file changes.
    writeFileSync(path.join(root, 'jobs', 'slow.md'), jobText(simpleJob('slow', { verify: false }), 'slow'));

    const r = await handle.executeUpdate(addJobsUpdate);
    expect(r.added).toEqual(['late']);
    const refused = Object.fromEntries(r.refused.map((x) => [x.id, x.reason]));
    expect(refused.cyc1).toMatch(/cycle/i);
    expect(refused.cyc2).toMatch(/cycle/i);
    expect(refused.needsbad).toBe('it needs bad, which failed in this batch (fix bad first, or run again after the batch)');
    expect(refused.slow).toBe('slow is running: its change is not taken in this batch (run it again afterwards)');

    await waitFor(async () => (await progressOf(handle)).jobs.late?.state === 'passed', 30_000, 'late to pass');
    // Nothing new since: the second update takes nothing and refuses what still conflicts.
    const again = await handle.executeUpdate(addJobsUpdate);
    expect(again.added).toEqual([]);
    slowRelease = true;
    // The held call is cut by the test server only when its latency ends: cancel it instead, so
    // the slow job ends now; the batch then ends with late in its result.
    await handle.executeUpdate(cancelJobUpdate, { args: ['slow'] });
    const result = await handle.result();
    expect((await handle.describe()).runId).toBe(runId);
    expect(result.jobs.late.state).toBe('passed');
    expect(result.totals.total).toBe(3);
    expect((await progressOf(handle)).additions?.[0]).toMatch(/^added late; refused /);
    expect(readStatuses(root).late.status).toBe('pass');
    expect(readFileSync(path.join(root, 'out/late.txt'), 'utf8')).toBe(`${contentFor('late')}\n`);
    // An ended batch takes nothing more.
    await expect(handle.executeUpdate(addJobsUpdate)).rejects.toThrow();
  } finally {
    await w.stop();
  }
});

test('a changed job file that failed runs again in the same batch, with the job skipped because of it', async () => {
  let fixed = false;
  t.ollama.respond = (req) => {
    const id = jobOf(req);
    if (isVerification(req)) return { content: id === 'flaky' && !fixed ? 'FAIL: wrong' : 'PASS' };
    return { content: block(`out/${id}.txt`, contentFor(id)), latencyMs: id === 'hold' ? 3000 : 10 };
  };
  const root = makeProject({ ollamaUrl: t.ollama.url, jobs: { flaky: simpleJob('flaky'), after: simpleJob('after', { context_files: ['out/flaky.txt'] }), hold: simpleJob('hold') } });
  const w = await startWorkers(t.h, root);
  try {
    const { handle } = await startBatch(t.h, root);
    await waitFor(async () => (await progressOf(handle)).jobs.after?.state === 'skipped', 30_000, 'after to be skipped');
    fixed = true;
    writeFileSync(path.join(root, 'jobs', 'flaky.md'), jobText(simpleJob('flaky'), 'flaky').replace('write the file.', 'write the file, carefully.'));
    const r = await handle.executeUpdate(addJobsUpdate);
    expect(r.requeued).toEqual(['flaky', 'after']);
    const result = await handle.result();
    expect(result.jobs.flaky.state).toBe('passed');
    expect(result.jobs.after.state).toBe('passed');
  } finally {
    await w.stop();
  }
});
