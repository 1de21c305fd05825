import { CONCURRENCY_CEILING, effectiveConcurrency, isFinished, markPassed, markRunning, markUnsuccessful, newSchedule, nextToStart, skipAllWaiting } from '../../core/schedule';

test('the window never exceeds max_concurrent and fills as jobs finish', () => {
  const s = newSchedule(['a', 'b', 'c', 'd', 'e'], {});
  expect(nextToStart(s, 2)).toEqual(['a', 'b']);
  markRunning(s, 'a');
  markRunning(s, 'b');
  expect(nextToStart(s, 2)).toEqual([]);
  markPassed(s, 'a');
  expect(nextToStart(s, 2)).toEqual(['c']);
});

test('a job starts when its own dependencies passed, not its whole level', () => {
  const s = newSchedule(['a', 'b', 'c', 'd'], { c: ['a'], d: ['b'] });
  markRunning(s, 'a');
  markRunning(s, 'b');
  markPassed(s, 'a');
  expect(nextToStart(s, 10)).toEqual(['c']);
});

test('dependencies outside the batch count as met', () => {
  const s = newSchedule(['b'], { b: ['a'] });
  expect(s.deps.b).toEqual([]);
  expect(nextToStart(s, 1)).toEqual(['b']);
});

test('a failure skips dependents transitively with the reason', () => {
  const s = newSchedule(['a', 'b', 'c', 'd'], { b: ['a'], c: ['b'] });
  markRunning(s, 'a');
  expect(markUnsuccessful(s, 'a', 'failed', 'boom')).toEqual(['b', 'c']);
  expect(s.jobs.b.reason).toBe('skipped: depends on a, which failed');
  expect(s.jobs.c.reason).toBe('skipped: depends on b, which was skipped');
  expect(s.jobs.d.state).toBe('waiting');
  expect(isFinished(s)).toBe(false);
  expect(skipAllWaiting(s, 'stop')).toEqual(['d']);
  expect(isFinished(s)).toBe(true);
});

test('an order-only predecessor must finish first, but its failure skips nothing', () => {
  const s = newSchedule(['a', 'b', 'c'], { c: ['b'] }, { b: ['a'], c: ['outside'] });
  expect(s.after).toEqual({ b: ['a'] });
  expect(nextToStart(s, 10)).toEqual(['a']);
  markRunning(s, 'a');
  expect(nextToStart(s, 10)).toEqual([]);
  expect(markUnsuccessful(s, 'a', 'failed', 'boom')).toEqual([]);
  expect(nextToStart(s, 10)).toEqual(['b']);
  // A plan recorded before order-only edges existed has none: nothing changes for it.
  expect(newSchedule(['a'], {}).after).toBeUndefined();
});

test('0 means unlimited, up to a ceiling well under Temporal\'s pending-children limit', () => {
  expect(effectiveConcurrency(0)).toBe(CONCURRENCY_CEILING);
  expect(CONCURRENCY_CEILING).toBeLessThan(2000);
  expect(effectiveConcurrency(3)).toBe(3);
  expect(effectiveConcurrency(100000)).toBe(CONCURRENCY_CEILING);
});

test('group barriers: only the first unfinished group may start (WorkSplit\'s way, for benchmarks)', () => {
  const s = newSchedule(['a', 'b', 'c', 'd'], { c: ['a'], d: ['b'] });
  const groups = [['a', 'b'], ['c', 'd']];
  markRunning(s, 'a');
  markRunning(s, 'b');
  markPassed(s, 'a');
  expect(nextToStart(s, 10, groups)).toEqual([]);
  expect(nextToStart(s, 10)).toEqual(['c']);
  markPassed(s, 'b');
  expect(nextToStart(s, 10, groups)).toEqual(['c', 'd']);
});
