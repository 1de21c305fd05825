import { blockedByInvalid, describeJob, planRun } from '../../core/plan';
import type { JobSpec } from '../../core/job';
import type { StatusEntry } from '../../core/status';
import { addUsage, emptyUsage } from '../../core/usage';
import { batchWorkflowId, jobWorkflowId, taskQueues } from '../../core/ids';

function job(id: string, over: Partial<JobSpec> = {}): JobSpec {
  return { id, mode: 'replace', contextFiles: [], outputDir: 'out', outputFile: `${id}.ts`, outputPath: `out/${id}.ts`, sequential: false, verify: true, dependsOn: [], instructions: 'x', ...over };
}
const entry = (id: string, status: StatusEntry['status'] = 'created', ran = false): StatusEntry => ({ id, status, created_at: 't', updated_at: 't', ran });

test('the plan covers selected jobs, their deps among them, invalid ones with reasons, and implicit context', () => {
  const plan = planRun({
    ids: ['a', 'b', 'bad', 'c', 'done'],
    jobs: [job('a'), job('b', { contextFiles: ['out/a.ts'] }), job('c', { dependsOn: ['done', 'bad'] }), job('done')],
    problems: { bad: [{ file: 'jobs/bad.md', field: 'mode', message: 'must be one of …' }] },
    entries: [entry('a'), entry('b'), entry('bad'), entry('c'), entry('done', 'pass', true)],
    selection: { resume: false, rerun: false },
  });
  expect(plan.selected).toEqual(['a', 'b', 'bad', 'c']);
  expect(plan.deps).toEqual({ a: [], b: ['a'], bad: [], c: ['bad'] });
  expect(plan.invalid).toEqual({ bad: 'jobs/bad.md: mode: must be one of …' });
  expect(plan.groups).toEqual([['a', 'c'], ['b']]);
  expect(plan.dependencyOutputs.b).toEqual(['out/a.ts']);
  expect(plan.dependencyOutputs.c).toEqual(['out/done.ts']);
});

test('the plan carries order-only edges and the warnings of the selected jobs only', () => {
  const plan = planRun({
    ids: ['a', 'b', 'x', 'y'],
    jobs: [job('a', { outputPath: 'out/s.ts' }), job('b', { outputPath: 'out/s.ts' }), job('x', { outputPath: 'out/t.ts' }), job('y', { outputPath: 'out/t.ts' })],
    problems: {},
    entries: [entry('a'), entry('b'), entry('x', 'pass', true), entry('y', 'pass', true)],
    selection: { resume: false, rerun: false },
  });
  expect(plan.invalid).toEqual({});
  expect(plan.after).toEqual({ a: [], b: ['a'] });
  expect(plan.groups).toEqual([['a'], ['b']]);
  expect(plan.graphWarnings).toEqual(['jobs a and b both write out/s.ts; they run one at a time in job-id order']);
  // An order-only predecessor is no dependency: its outputs are not implicit context.
  expect(plan.dependencyOutputs.b).toEqual([]);
});

test('stuck jobs are reported when not resumed', () => {
  const plan = planRun({ ids: ['a'], jobs: [job('a')], problems: {}, entries: [entry('a', 'pending_work', true)], selection: { resume: false, rerun: false } });
  expect(plan.selected).toEqual([]);
  expect(plan.stuckNotResumed).toEqual(['a']);
});

test('ids, queues and usage sums', () => {
  expect(batchWorkflowId('p-1234')).toBe('worksplit/p-1234/batch');
  expect(jobWorkflowId('p-1234', 'j')).toBe('worksplit/p-1234/job/j');
  expect(taskQueues('worksplit', 'p-1234')).toEqual({ project: 'worksplit-p-1234', llm: 'worksplit-llm' });
  expect(addUsage(addUsage(emptyUsage(), { calls: 1, promptTokens: 10 }), { calls: 1, outputTokens: 5, modelMs: 7 })).toEqual({ calls: 2, promptTokens: 10, outputTokens: 5, modelMs: 7 });
});

test('job descriptions name the mode and outputs', () => {
  expect(describeJob(job('a'))).toBe('replace out/a.ts');
  expect(describeJob(job('e', { mode: 'edit', targetFiles: ['src/x.ts'] }))).toBe('edit src/x.ts');
  expect(describeJob(job('t', { testFile: 't.test.ts' }))).toBe('replace (tdd) out/t.test.ts, out/t.ts');
  expect(describeJob(job('s', { sequential: true, outputFiles: ['1', '2', '3', '4', '5', '6'] }))).toBe('sequential 1, 2, 3, 4 and 2 more');
});

test('jobs that need a job that cannot run, directly or through others, are found with that job', () => {
  const deps = { bad: [], d: ['bad'], e: ['d'], f: [], g: ['f', 'e'], h: [] };
  expect(blockedByInvalid(deps, ['bad'], ['bad', 'd', 'e', 'f', 'g', 'h'])).toEqual({ d: 'bad', e: 'bad', g: 'bad' });
  // Listed out of dependency order, the chain is still followed to its end.
  expect(blockedByInvalid(deps, ['bad'], ['g', 'e', 'd', 'f'])).toEqual({ d: 'bad', e: 'bad', g: 'bad' });
  expect(blockedByInvalid(deps, [], ['d', 'e'])).toEqual({});
});

test('a job that needs one outside the run whose last run failed is skipped with the reason (run --rerun after a failure)', () => {
  const jobs = [job('a'), job('b', { dependsOn: ['a'] }), job('c', { dependsOn: ['b'] }), job('d')];
  const entries = [entry('a', 'fail', true), entry('b', 'created', true), entry('c', 'created', true), entry('d', 'created', true)];
  const plan = planRun({ ids: ['a', 'b', 'c', 'd'], jobs, problems: {}, entries, selection: { resume: false, rerun: true } });
  expect(plan.selected).toEqual(['b', 'c', 'd']);
  expect(plan.blocked).toEqual({ b: 'skipped: depends on a, whose last run did not pass (status fail; retry it with: worksplit retry a)' });
  // c needs b, which is in the run: the batch skips it when b is skipped.
  expect(plan.deps.c).toEqual(['b']);
});
