import { concurrentWriters } from '../../core/write-races';

test('a file written by two jobs that were running at the same time is reported; one after the other is not', () => {
  expect(
    concurrentWriters({
      models: { outputs: ['src/models/status.rs', 'src/models/job.rs'], startedAt: 100, finishedAt: 200 },
      job_meta: { outputs: ['src/models/job.rs'], startedAt: 150, finishedAt: 300 },
      later: { outputs: ['src/models/job.rs'], startedAt: 300, finishedAt: 400 },
      other: { outputs: ['src/other.rs'], startedAt: 100, finishedAt: 400 },
      unfinished: { outputs: ['src/other.rs'], startedAt: 120 },
    }),
  ).toEqual([{ file: 'src/models/job.rs', jobIds: ['job_meta', 'models'] }]);
});
