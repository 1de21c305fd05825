// The batch's state as one object: one record per job, the status-file update the batch owes a
// job, the window, and a batch handed over by continue-as-new from the earlier layout.
import { newSchedule } from '../../core/schedule';
import { BatchState } from '../../workflows/batch-state';
import type { CarriedBatch, JobResult } from '../../workflows/types';

function carried(ids: string[], deps: Record<string, string[]> = {}, extra: Partial<CarriedBatch> = {}): CarriedBatch {
  return {
    schedule: newSchedule(ids, deps),
    dependencyOutputs: {},
    deps,
    groups: [ids],
    tokens: { calls: 0, promptTokens: 0, outputTokens: 0, modelMs: 0 },
    warnings: [],
    paused: false,
    maxConcurrent: 2,
    stopping: false,
    generation: 0,
    ...extra,
  };
}

const result = (id: string, extra: Partial<JobResult> = {}): JobResult => ({ id, status: 'pass', outputs: [`out/${id}.txt`], retried: false, tokens: { calls: 2, promptTokens: 10, outputTokens: 5, modelMs: 7 }, ...extra });

test('one record per job carries its schedule state and its run; the window holds max_concurrent', () => {
  let t = 1000;
  const b = new BatchState(carried(['a', 'b', 'c']), undefined, () => t);
  expect(b.startable()).toEqual(['a', 'b']);
  b.start('a');
  b.start('b');
  expect(b.windowHasRoom()).toBe(false);
  t = 2000;
  b.passed('a', result('a', { reason: 'style nits' }));
  expect(b.windowHasRoom()).toBe(true);
  expect(b.jobs.a).toEqual({ state: 'passed', reason: 'style nits', startedAt: 1000, finishedAt: 2000, outputs: ['out/a.txt'], retried: false, tokens: result('a').tokens });
  expect(b.progress(false).tokens.calls).toBe(2);
  expect(b.totals()).toMatchObject({ passed: 1, running: 1, waiting: 1 });
  b.carried.paused = true;
  expect(b.windowHasRoom()).toBe(false);
});

test('the status update of each unsuccessful end: failed, cancelled after or before its start, skipped', () => {
  const b = new BatchState(carried(['a', 'b', 'c', 'd'], { b: ['a'] }), undefined, () => 5);
  b.start('a');
  expect(b.unsuccessful('a', 'failed', 'the job timed out')).toEqual(['b']);
  expect(b.statusUpdate('a')).toEqual({ id: 'a', status: 'fail', error: 'the job timed out' });
  expect(b.statusUpdate('b')).toEqual({ id: 'b', status: 'created', error: 'skipped: depends on a, which failed' });
  b.start('c');
  b.unsuccessful('c', 'cancelled', 'cancelled by request');
  expect(b.statusUpdate('c')).toEqual({ id: 'c', status: 'created', error: 'cancelled by request', ran: false });
  b.unsuccessful('d', 'cancelled', 'cancelled by request (all jobs)');
  expect(b.statusUpdate('d')).toEqual({ id: 'd', status: 'created', error: 'cancelled by request (all jobs)' });
  expect(b.jobs.d.finishedAt).toBe(5);
  expect(b.runningCount()).toBe(0);
  expect(b.isFinished()).toBe(true);
});

test('a job failed at planning counts as run and has no end time', () => {
  const plan = carried(['a']);
  const b = new BatchState(plan, undefined, () => 5);
  b.unsuccessful('a', 'failed', 'jobs/a.md: output_file is missing');
  expect(b.statusUpdate('a')).toEqual({ id: 'a', status: 'fail', error: 'jobs/a.md: output_file is missing', ran: true });
  expect(b.jobs.a.finishedAt).toBeUndefined();
});

test('a batch continued as new by the earlier version (reports beside the schedule) resumes with one record per job', () => {
  const plan = carried(['a', 'b', 'c']);
  plan.schedule.jobs.a = { state: 'passed' };
  plan.schedule.jobs.b = { state: 'running' };
  plan.reports = {
    a: { state: 'running', reason: 'warned', startedAt: 1, finishedAt: 2, outputs: ['out/a.txt'], retried: true },
    b: { state: 'running', startedAt: 3 },
    c: { state: 'waiting' },
  };
  const b = new BatchState(plan, undefined, () => 9);
  expect(b.carried.reports).toBeUndefined();
  expect(b.jobs.a).toEqual({ state: 'passed', reason: 'warned', startedAt: 1, finishedAt: 2, outputs: ['out/a.txt'], retried: true });
  expect(b.jobs.b).toEqual({ state: 'running', startedAt: 3 });
  expect(b.runningCount()).toBe(1);
  expect(b.startable()).toEqual(['c']);
});
