// A job folder whose plan would not fit in Temporal's history (many jobs, long ids) fails the
// batch once, with the numbers and what to do, instead of failing every workflow task and leaving
// a wedged batch that later runs attach to (held-out probe of issue 17).
import { MAX_PLAN_BYTES } from '../../activities/planning';
import { runCli } from '../support/processes';
import { makeProject, simpleJob } from '../support/project';

test('a plan over the limit ends the run with LimitExceeded; a later run says the same and does not hang', async () => {
  const ids = Array.from({ length: 700 }, (_, i) => `${String(i).padStart(4, '0')}_${'long_job_name_'.repeat(17)}`);
  expect(700 * ids[0].length * 7).toBeGreaterThan(MAX_PLAN_BYTES);
  const root = makeProject({ ollamaUrl: 'http://127.0.0.1:9', jobs: Object.fromEntries(ids.map((id, i) => [id, simpleJob(`f${i}`)])) });
  const env = { TEMPORAL_ADDRESS: process.env.WORKSPLIT_TEST_TEMPORAL_ADDRESS! };
  const first = await runCli(['--path', root, 'run', '--no-health-check'], env);
  expect(first.code).not.toBe(0);
  expect(first.output).toMatch(/the batch plan of 700 jobs \(ids up to 243 characters\) is \d+\.\d MB, over the 1 MB one batch can carry in Temporal's history/);
  const second = await runCli(['--path', root, 'run', '--no-health-check'], env);
  expect(second.code).not.toBe(0);
  expect(second.output).toMatch(/the batch plan of 700 jobs/);
}, 120_000);
