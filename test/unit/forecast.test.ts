import { type ForecastJob, type JobSample, forecast, forecastLine } from '../../core/forecast';

const usage = (modelMs: number, outputTokens = 100) => ({ calls: 2, promptTokens: 500, outputTokens, modelMs });
const sample = (seconds: number, modelSeconds: number, outputTokens = 100): JobSample => ({ seconds, modelSeconds, calls: 2, outputTokens });
const waiting = (ids: string[]): Record<string, ForecastJob> => Object.fromEntries(ids.map((id) => [id, { state: 'waiting' as const }]));
const base = { maxConcurrent: 4, parallel: 1, now: 1_000_000, historyBatches: 1 };

test('nothing to learn from: no forecast', () => {
  expect(forecast({ ...base, jobs: waiting(['a']), deps: {}, history: [], historyBatches: 0 })).toBeUndefined();
});

test('a chain runs one job after another: the sum of the jobs', () => {
  const f = forecast({ ...base, jobs: waiting(['a', 'b', 'c', 'd']), deps: { b: ['a'], c: ['b'], d: ['c'] }, history: [sample(10, 8), sample(10, 8)] });
  expect(f).toEqual({ remaining_seconds: 40, remaining_output_tokens: 400, basis: '2 jobs of 1 earlier batch' });
});

test('independent jobs: bound by the model server\'s slots, or by the window when it has more', () => {
  const jobs = waiting(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
  const history = [sample(2, 2)];
  // 8 jobs of 2 s of model time, one slot: 16 s whatever the window.
  expect(forecast({ ...base, jobs, deps: {}, history, parallel: 1 })!.remaining_seconds).toBe(16);
  // Four slots and a window of 4: two rounds of 2 s.
  expect(forecast({ ...base, jobs, deps: {}, history, parallel: 4 })!.remaining_seconds).toBe(4);
  // Four slots, a window of 2: four rounds.
  expect(forecast({ ...base, jobs, deps: {}, history, parallel: 4, maxConcurrent: 2 })!.remaining_seconds).toBe(8);
});

test('learns from this batch\'s finished jobs; a running job counts what it has left', () => {
  const now = 1_000_000;
  const jobs: Record<string, ForecastJob> = {
    a: { state: 'passed', startedAt: now - 20_000, finishedAt: now - 10_000, tokens: usage(10_000) },
    b: { state: 'running', startedAt: now - 4_000 },
    c: { state: 'waiting' },
    s: { state: 'skipped' },
  };
  const f = forecast({ ...base, now, jobs, deps: { c: ['b'] }, history: [], historyBatches: 0 })!;
  // b has 6 s of its 10 left, then c takes 10.
  expect(f.remaining_seconds).toBe(16);
  expect(f.remaining_output_tokens).toBe(150);
  expect(f.basis).toBe('1 finished job of this batch');
});

test('a job waiting on one that is not in the batch (ran before) is not held by it', () => {
  const f = forecast({ ...base, jobs: waiting(['x']), deps: { x: ['gone'] }, history: [sample(3, 3)] });
  expect(f!.remaining_seconds).toBe(3);
});

test('the line the live view and status show', () => {
  expect(forecastLine({ remaining_seconds: 720, remaining_output_tokens: 48_200, basis: '' })).toBe('≈ 12 min left, ~48k tokens');
  expect(forecastLine({ remaining_seconds: 42, remaining_output_tokens: 950, basis: '' })).toBe('≈ 42 s left, ~950 tokens');
  expect(forecastLine({ remaining_seconds: 9000, remaining_output_tokens: 1500, basis: '' })).toBe('≈ 2.5 h left, ~1.5k tokens');
});

test('thousands of jobs are projected quickly enough for a live view (linear in the jobs)', () => {
  const ids = Array.from({ length: 5000 }, (_, i) => `job${String(i).padStart(5, '0')}`);
  const deps = Object.fromEntries(ids.map((id, i) => [id, i > 0 && i % 10 !== 0 ? [ids[i - 1]] : []]));
  const f = forecast({ ...base, jobs: waiting(ids), deps, history: [sample(1, 1)], parallel: 2, maxConcurrent: 64 });
  // 500 chains of 10 one-second jobs, two slots: 2,500 s.
  expect(f!.remaining_seconds).toBe(2500);
});

test('jobs waiting on a failed job take nothing (they will be skipped); a result without model time is no NaN', () => {
  const jobs: Record<string, ForecastJob> = { f: { state: 'failed' }, x: { state: 'waiting' }, y: { state: 'waiting' }, z: { state: 'waiting' } };
  const f = forecast({ ...base, jobs, deps: { x: ['f'], y: ['x'] }, history: [sample(5, 5)] })!;
  expect(f.remaining_seconds).toBe(5);
  expect(f.remaining_output_tokens).toBe(100);
  const old = forecast({ ...base, jobs: waiting(['a']), deps: {}, history: [], historyBatches: 0, now: 10_000 });
  expect(old).toBeUndefined();
  const noModelMs = forecast({ ...base, now: 10_000, jobs: { d: { state: 'passed', startedAt: 1000, finishedAt: 5000, tokens: { calls: 1, promptTokens: 1, outputTokens: 1 } as never }, w: { state: 'waiting' } }, deps: {}, history: [], historyBatches: 0 })!;
  expect(Number.isFinite(noModelMs.remaining_seconds)).toBe(true);
});

test('jobs fail as often as they did: a failure skips its dependents, so a chain is expected shorter; the same answer every time', () => {
  const chain = { b: ['a'], c: ['b'], d: ['c'] };
  const history = [sample(10, 10), { ...sample(10, 10), passed: false }];
  const f = forecast({ ...base, jobs: waiting(['a', 'b', 'c', 'd']), deps: chain, history })!;
  // Each job passes half the time: 10 + 5 + 2.5 + 1.25 s expected, ~19 s.
  expect(f.remaining_seconds).toBeGreaterThan(12);
  expect(f.remaining_seconds).toBeLessThan(26);
  expect(f.remaining_output_tokens).toBeLessThan(400);
  expect(forecast({ ...base, jobs: waiting(['a', 'b', 'c', 'd']), deps: chain, history })).toEqual(f);
  // Nothing failed before: the whole chain.
  expect(forecast({ ...base, jobs: waiting(['a', 'b', 'c', 'd']), deps: chain, history: [sample(10, 10)] })!.remaining_seconds).toBe(40);
});
