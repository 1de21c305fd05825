// What a job does first once loaded, as the load step prepares it: the opening status and the
// prompt of the first model call the job's own mode code will ask for.
import type { JobSpec } from '../../core/job';
import { jobOpening } from '../../core/job-opening';

function job(extra: Partial<JobSpec>): JobSpec {
  return { id: 'j', mode: 'replace', contextFiles: [], outputDir: 'src', outputFile: 'a.ts', outputPath: 'src/a.ts', sequential: false, verify: true, dependsOn: [], instructions: 'do it', ...extra };
}

test('replace: pending_work, and the generate prompt for the declared outputs', () => {
  expect(jobOpening(job({ outputFiles: ['src/a.ts', 'src/b.ts'] }))).toEqual({ status: 'pending_work', ask: { spec: { kind: 'generate', outputPaths: ['src/a.ts', 'src/b.ts'] } } });
});

test('TDD: pending_test, and the test prompt first (without the test file as context)', () => {
  expect(jobOpening(job({ testFile: 'a.test.ts' }))).toEqual({ status: 'pending_test', ask: { spec: { kind: 'test', testPath: 'src/a.test.ts' } } });
});

test('sequential and split: the first file, nothing before it, the others remaining', () => {
  const files = ['src/a.ts', 'src/b.ts', 'src/c.ts'];
  expect(jobOpening(job({ sequential: true, outputFiles: files })).ask).toEqual({ spec: { kind: 'sequential', file: 'src/a.ts', previous: [], remaining: ['src/b.ts', 'src/c.ts'] } });
  expect(jobOpening(job({ mode: 'split', targetFile: 'src/big.ts', outputFiles: files })).ask?.spec).toMatchObject({ kind: 'split', file: 'src/a.ts' });
});

test('edit and replace_pattern: their own prompt kinds', () => {
  expect(jobOpening(job({ mode: 'edit', targetFiles: ['src/a.ts'] })).ask).toEqual({ spec: { kind: 'edit' } });
  expect(jobOpening(job({ mode: 'replace_pattern', targetFiles: ['src/a.ts'] })).ask).toEqual({ spec: { kind: 'replace_pattern' } });
});

test('update_fixtures reads its files before any model call: nothing to prepare', () => {
  expect(jobOpening(job({ mode: 'update_fixtures', targetFiles: ['src/a.ts'], structName: 'S', newField: 'x: 1' }))).toEqual({ status: 'pending_work' });
});
