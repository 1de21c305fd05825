import { type AdditionPlan, type AdditionTarget, describeAddition, joinBatch } from '../../core/additions';
import { type JobState, type ScheduleEntry, newSchedule, nextToStart } from '../../core/schedule';
import { jobFingerprint } from '../../core/fingerprint';
import type { JobSpec } from '../../core/job';

/** A batch of a (passed), b (running), c (waiting, needs a), f (failed), s (skipped: needs f). */
function batch(): AdditionTarget<ScheduleEntry> {
  const schedule = newSchedule(['a', 'b', 'c', 'f', 's'], { c: ['a'], s: ['f'] });
  const states: Record<string, JobState> = { a: 'passed', b: 'running', c: 'waiting', f: 'failed', s: 'skipped' };
  for (const [id, state] of Object.entries(states)) schedule.jobs[id] = { state, ...(state === 'failed' ? { reason: 'bad' } : {}) };
  return { schedule, deps: { c: ['a'], s: ['f'] }, dependencyOutputs: {}, descriptions: {}, fingerprints: { a: '1', b: '1', c: '1', f: '1', s: '1' } };
}

function addition(o: Partial<AdditionPlan> & { deps?: Record<string, string[]>; after?: Record<string, string[]>; invalid?: Record<string, string> }): AdditionPlan {
  return {
    newIds: o.newIds ?? [],
    changedIds: o.changedIds ?? [],
    plan: { deps: o.deps ?? {}, after: o.after ?? {}, invalid: o.invalid ?? {}, dependencyOutputs: Object.fromEntries(Object.keys(o.deps ?? {}).map((id) => [id, [`out/${(o.deps ?? {})[id][0] ?? ''}.txt`]])), descriptions: {} },
    fingerprints: Object.fromEntries([...(o.newIds ?? []), ...(o.changedIds ?? [])].map((id) => [id, '2'])),
    allIds: [],
  };
}

const fresh = (): ScheduleEntry => ({ state: 'waiting' });

test('a new job joins waiting, with its dependencies on the running graph, and can start once they passed', () => {
  const t = batch();
  const r = joinBatch(t, addition({ newIds: ['n1', 'n2'], deps: { n1: ['a'], n2: ['b'] } }), fresh);
  expect(r).toEqual({ added: ['n1', 'n2'], requeued: [], updated: [], refused: [], ended: [] });
  expect(t.schedule.jobs.n1.state).toBe('waiting');
  expect(t.schedule.deps.n2).toEqual(['b']);
  expect(t.dependencyOutputs.n1).toEqual(['out/a.txt']);
  expect(t.fingerprints!.n1).toBe('2');
  // The schedule's id order is rebuilt: n1 (needs a, passed) may start, n2 waits for b.
  expect(nextToStart(t.schedule, 10)).toEqual(['c', 'n1']);
});

test('refused with the reason: a problem in its file (a cycle), a dependency that failed in this batch, a dependency that was refused', () => {
  const t = batch();
  const r = joinBatch(
    t,
    addition({ newIds: ['x1', 'x2', 'needsf', 'needsx', 'ok'], deps: { x1: ['x2'], x2: ['x1'], needsf: ['f'], needsx: ['x1'], ok: [] }, invalid: { x1: 'cycle: x1 -> x2 -> x1', x2: 'cycle: x1 -> x2 -> x1' } }),
    fresh,
  );
  expect(r.added).toEqual(['ok']);
  expect(Object.fromEntries(r.refused.map((x) => [x.id, x.reason]))).toEqual({
    x1: 'cycle: x1 -> x2 -> x1',
    x2: 'cycle: x1 -> x2 -> x1',
    needsf: 'it needs f, which failed in this batch (fix f first, or run again after the batch)',
    needsx: 'it needs x1, which was refused',
  });
  expect(t.schedule.jobs.needsf).toBeUndefined();
});

test('a new job needing a new job that sorts later and is refused is refused too', () => {
  const t = batch();
  const r = joinBatch(t, addition({ newIds: ['a2', 'z9'], deps: { a2: ['z9'], z9: ['f'] } }), fresh);
  expect(r.added).toEqual([]);
  expect(r.refused.map((x) => x.id).sort()).toEqual(['a2', 'z9']);
  expect(r.refused.find((x) => x.id === 'a2')!.reason).toBe('it needs z9, which was refused');
});

test('changed job files: a running one is refused, a waiting one takes its new dependencies, a finished one runs again with the jobs skipped because of it', () => {
  const t = batch();
  const r = joinBatch(t, addition({ changedIds: ['b', 'c', 'f'], deps: { c: [], f: [] } }), fresh);
  expect(r.refused).toEqual([{ id: 'b', reason: 'b is running: its change is not taken in this batch (run it again afterwards)' }]);
  expect(r.updated).toEqual(['c']);
  expect(t.schedule.deps.c).toEqual([]);
  expect(r.requeued).toEqual(['f', 's']);
  expect(t.schedule.jobs.f).toEqual({ state: 'waiting' });
  expect(t.schedule.jobs.s.state).toBe('waiting');
  expect(describeAddition(r)).toBe('runs again f, s; updated c; refused b (b is running: its change is not taken in this batch (run it again afterwards))');
});

test('a job file fingerprint changes with the job, not with nothing', () => {
  const job = { id: 'a', mode: 'replace', instructions: 'do x', outputPath: 'out/a.txt' } as unknown as JobSpec;
  expect(jobFingerprint(job)).toMatch(/^[0-9a-f]{8}$/);
  expect(jobFingerprint({ ...job })).toBe(jobFingerprint(job));
  expect(jobFingerprint({ ...job, instructions: 'do y' } as JobSpec)).not.toBe(jobFingerprint(job));
});

test('a new job that writes what a running or waiting job writes waits for it, whatever the id order', () => {
  const t = batch();
  // The plan orders the writers of one file by id: a before b (running) and c (waiting).
  const r = joinBatch(t, addition({ newIds: ['a0'], deps: { a0: [] }, after: { b: ['a0'], c: ['a0'] } }), fresh);
  expect(r.added).toEqual(['a0']);
  expect(t.schedule.after!.a0).toEqual(['b', 'c']);
  expect(nextToStart(t.schedule, 10)).not.toContain('a0');
});

test('a waiting job that reads what a new job writes waits for it; one that would close a loop does not', () => {
  const t = batch();
  const r = joinBatch(t, addition({ newIds: ['w'], deps: { w: [], c: ['a', 'w'] } }), fresh);
  expect(r.updated).toEqual(['c']);
  expect(t.schedule.deps.c).toEqual(['a', 'w']);
  expect(t.deps.c).toEqual(['a', 'w']);
  const t2 = batch();
  const r2 = joinBatch(t2, addition({ newIds: ['v'], deps: { v: ['c'], c: ['a', 'v'] } }), fresh);
  expect(r2.added).toEqual(['v']);
  expect(t2.schedule.deps.c).toEqual(['a']);
});

test('a waiting job whose file changed into one that cannot run ends failed, with the jobs that need it skipped', () => {
  const t = batch();
  t.schedule.jobs.d = { state: 'waiting' };
  t.schedule.deps.d = ['c'];
  const r = joinBatch(t, addition({ changedIds: ['c'], invalid: { c: 'depends_on names nosuchjob, which is not a job' } }), fresh);
  expect(r.refused).toEqual([{ id: 'c', reason: 'its job file changed while it waited, and cannot run: depends_on names nosuchjob, which is not a job' }]);
  expect(r.ended).toEqual(['c', 'd']);
  expect(t.schedule.jobs.c.state).toBe('failed');
  expect(t.schedule.jobs.d.state).toBe('skipped');
});
