import { buildDependencyGraph, dependentsOf, executionGroups, findCycles } from '../../core/graph';
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

test('two jobs creating the same file is a problem naming both', () => {
  const g = buildDependencyGraph([job('a', { outputPath: 'out/x.ts' }), job('b', { outputPath: 'out/x.ts' })]);
  expect(g.problems).toEqual([{ jobIds: ['a', 'b'], field: 'output_file', message: expect.stringContaining('both write out/x.ts') }]);
});

test('unknown depends_on is a problem; known-but-invalid ids are allowed', () => {
  expect(buildDependencyGraph([job('a', { dependsOn: ['ghost'] })]).problems[0]).toMatchObject({ jobIds: ['a'], field: 'depends_on' });
  expect(buildDependencyGraph([job('a', { dependsOn: ['broken'] })], ['broken']).problems).toEqual([]);
});

test('cycles are found and named in order', () => {
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
