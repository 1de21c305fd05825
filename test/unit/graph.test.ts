import { buildDependencyGraph, dependentsOf, executionGroups, findCycles, waitsFor } from '../../core/graph';
import type { JobSpec } from '../../core/job';

function job(id: string, over: Partial<JobSpec> = {}): JobSpec {
  return { id, mode: 'replace', contextFiles: [], outputDir: 'out', outputFile: `${id}.ts`, outputPath: `out/${id}.ts`, sequential: false, verify: true, dependsOn: [], instructions: 'x', ...over };
}

test('dependencies come from outputs feeding context or targets, and from depends_on', () => {
  const g = buildDependencyGraph([
    job('a'),
    job('b', { contextFiles: ['out/a.ts'] }),
    job('c', { dependsOn: ['a'] }),
    job('d', { mode: 'edit', targetFiles: ['out/b.ts'], outputPath: 'out/b.ts' }),
    job('e', { mode: 'split', targetFile: 'out/c.ts', outputFiles: ['e/1.ts', 'e/2.ts'] }),
  ]);
  expect(g.problems).toEqual([]);
  expect(g.deps).toEqual({ a: [], b: ['a'], c: ['a'], d: ['b'], e: ['c'] });
});

test('several edit jobs on one file run in id order; a reader waits for all of them', () => {
  const g = buildDependencyGraph([
    job('e1', { mode: 'edit', outputPath: 'src/x.ts', targetFiles: ['src/x.ts'] }),
    job('e2', { mode: 'edit', outputPath: 'src/x.ts', targetFiles: ['src/x.ts'] }),
    job('r', { contextFiles: ['src/x.ts'] }),
  ]);
  expect(g.problems).toEqual([]);
  expect(g.deps).toEqual({ e1: [], e2: ['e1'], r: ['e1', 'e2'] });
});

test('jobs creating the same file run one at a time in id order, with a warning naming them and the file', () => {
  const g = buildDependencyGraph([job('b', { outputPath: 'out/x.ts' }), job('a', { outputPath: 'out/x.ts' }), job('c', { outputPath: 'out/x.ts' }), job('r', { contextFiles: ['out/x.ts'] })]);
  expect(g.problems).toEqual([]);
  expect(g.after).toMatchObject({ a: [], b: ['a'], c: ['b'] });
  // A reader needs every writer to have passed.
  expect(g.deps.r).toEqual(['a', 'b', 'c']);
  expect(g.warnings).toEqual([{ jobIds: ['a', 'b', 'c'], message: 'jobs a, b and c all write out/x.ts; they run one at a time in job-id order' }]);
  expect(executionGroups(waitsFor(g.deps, g.after), ['a', 'b', 'c', 'r'])).toEqual([['a'], ['b'], ['c'], ['r']]);
});

test('jobs that each rewrite a file they read are ordered by id, not a cycle', () => {
  const g = buildDependencyGraph([
    job('b', { outputPath: 'src/s.rs', contextFiles: ['src/s.rs'] }),
    job('a', { outputPath: 'src/s.rs', contextFiles: ['src/s.rs', 'src/m.rs'] }),
    job('m', { outputPath: 'src/m.rs' }),
    job('e', { mode: 'edit', outputPath: 'src/s.rs', targetFiles: ['src/s.rs'], contextFiles: ['src/s.rs'] }),
  ]);
  expect(g.dropped).toEqual([]);
  // The edit comes last by id: it needs the writer before it to have passed.
  expect(g.deps).toEqual({ a: ['m'], b: [], e: ['b'], m: [] });
  expect(g.after).toEqual({ a: [], b: ['a'], e: [], m: [] });
  expect(g.warnings.map((w) => w.message)).toEqual(['jobs a, b and e all write src/s.rs; they run one at a time in job-id order']);
});

test('an edit job whose id comes before the job creating its file runs first, as in WorkSplit, with a warning', () => {
  const g = buildDependencyGraph([job('a_edit', { mode: 'edit', outputPath: 'src/s.rs', targetFiles: ['src/s.rs'] }), job('z_create', { outputPath: 'src/s.rs' })]);
  expect(g.deps).toEqual({ a_edit: [], z_create: [] });
  expect(g.after).toEqual({ a_edit: [], z_create: ['a_edit'] });
  expect(g.warnings.map((w) => w.message)).toEqual(['jobs a_edit and z_create both write src/s.rs; they run one at a time in job-id order']);
  // Create, then edit, in id order: the usual case, no warning.
  expect(buildDependencyGraph([job('a', { outputPath: 'src/s.rs' }), job('b', { mode: 'edit', outputPath: 'src/s.rs' })]).warnings).toEqual([]);
});

test('a cycle of inferred dependencies is dropped: its jobs run one at a time in id order, with a warning', () => {
  const g = buildDependencyGraph([
    job('a', { contextFiles: ['out/c.ts'] }),
    job('b', { contextFiles: ['out/a.ts'] }),
    job('c', { contextFiles: ['out/b.ts'] }),
    job('d', { contextFiles: ['out/c.ts'] }),
  ]);
  expect(g.problems).toEqual([]);
  expect(g.deps).toEqual({ a: [], b: [], c: [], d: ['c'] });
  expect(g.after).toEqual({ a: [], b: ['a'], c: ['b'], d: [] });
  expect(g.dropped.map((d) => `${d.job}<-${d.dep}`)).toEqual(['a<-c', 'b<-a', 'c<-b']);
  expect(g.dropped[0]).toEqual({ job: 'a', dep: 'c', needsPass: true, reason: 'a reads out/c.ts, written by c', cycle: ['a', 'b', 'c'] });
  expect(g.warnings).toHaveLength(1);
  expect(g.warnings[0].jobIds).toEqual(['a', 'b', 'c']);
  expect(g.warnings[0].message).toBe(
    'jobs a, b and c: dependencies inferred from their files form a cycle (a -> c -> b -> a: a reads out/c.ts, written by c; c reads out/b.ts, written by b; b reads out/a.ts, written by a); they run one at a time in job-id order: a, b, c',
  );
  expect(findCycles(waitsFor(g.deps, g.after))).toEqual([]);
});

test('in a cycle mixing depends_on and inferred edges, depends_on is kept and decides the order', () => {
  // a depends_on c; c reads b's output; b reads a's output: the inferred edges close the loop.
  const g = buildDependencyGraph([job('a', { dependsOn: ['c'] }), job('b', { contextFiles: ['out/a.ts'] }), job('c', { contextFiles: ['out/b.ts'] })]);
  expect(g.problems).toEqual([]);
  expect(g.deps).toEqual({ a: ['c'], b: [], c: [] });
  expect(g.dropped.map((d) => `${d.job}<-${d.dep}`)).toEqual(['b<-a', 'c<-b']);
  expect(g.warnings[0].message).toMatch(/a depends_on c/);
  expect(g.warnings[0].message).toMatch(/one at a time in job-id order \(after their depends_on\): b, c, a$/);
  expect(findCycles(waitsFor(g.deps, g.after))).toEqual([]);
});

test('shared files on a cycle: the cycle order still keeps the writers apart', () => {
  // a and b both write out/x.ts; a also reads b's other output: ordering a->b plus b's write after a form a loop.
  const g = buildDependencyGraph([
    job('a', { outputPath: 'out/x.ts', contextFiles: ['out/y.ts'] }),
    job('b', { outputPath: 'out/x.ts', outputFiles: ['out/x.ts', 'out/y.ts'] }),
  ]);
  expect(g.problems).toEqual([]);
  expect(g.after).toEqual({ a: [], b: ['a'] });
  expect(g.warnings.map((w) => w.message)).toEqual([
    'jobs a and b both write out/x.ts; they run one at a time in job-id order',
    expect.stringContaining('jobs a and b: dependencies inferred from their files form a cycle (a -> b -> a: a reads out/y.ts, written by b; b and a both write out/x.ts)'),
  ]);
});

test('unknown depends_on is a problem; known-but-invalid ids are allowed', () => {
  expect(buildDependencyGraph([job('a', { dependsOn: ['ghost'] })]).problems[0]).toMatchObject({ jobIds: ['a'], field: 'depends_on' });
  expect(buildDependencyGraph([job('a', { dependsOn: ['broken'] })], ['broken']).problems).toEqual([]);
});

test('a cycle of depends_on is a problem naming its jobs in order', () => {
  const g = buildDependencyGraph([job('a', { dependsOn: ['c'] }), job('b', { dependsOn: ['a'] }), job('c', { dependsOn: ['b'] }), job('d', { dependsOn: ['a'] })]);
  expect(g.problems).toEqual([{ jobIds: ['a', 'c', 'b'], field: 'graph', message: 'dependency cycle: a -> c -> b -> a' }]);
  expect(findCycles({ x: ['x'] })).toEqual([['x']]);
  expect(findCycles({ a: ['b'], b: [] })).toEqual([]);
});

test('a 5,000-long chain does not overflow the stack', () => {
  const deps: Record<string, string[]> = {};
  for (let i = 0; i < 5000; i++) deps[`j${String(i).padStart(5, '0')}`] = i === 0 ? [] : [`j${String(i - 1).padStart(5, '0')}`];
  expect(findCycles(deps)).toEqual([]);
  expect(executionGroups(deps, Object.keys(deps))).toHaveLength(5000);
});

test('execution groups are levels; deps outside the set count as met; cycle members are left out', () => {
  const deps = { a: [], b: ['a'], c: ['a'], d: ['b', 'c'], e: ['outside'], x: ['y'], y: ['x'] };
  expect(executionGroups(deps, ['a', 'b', 'c', 'd', 'e', 'x', 'y'])).toEqual([['a', 'e'], ['b', 'c'], ['d']]);
  expect(executionGroups(deps, ['b', 'd'])).toEqual([['b'], ['d']]);
});

test('dependentsOf is transitive', () => {
  expect(dependentsOf({ a: [], b: ['a'], c: ['b'], d: [] }, 'a')).toEqual(['b', 'c']);
});
