// The batch's messages: pause, resume, a new max_concurrent, cancel. Each changes the batch's
// state; the batch's loop reacts to the change.
import { setHandler } from '@temporalio/workflow';
import type { BatchJobs } from './batch-jobs';
import type { BatchState } from './batch-state';
import { cancelJobUpdate, pauseSignal, resumeSignal, setMaxConcurrentUpdate } from './messages';

export function handleBatchMessages(batch: BatchState, jobs: BatchJobs, changed: () => void): void {
  const c = batch.carried;
  setHandler(pauseSignal, () => {
    c.paused = true;
    changed();
  });
  setHandler(resumeSignal, () => {
    c.paused = false;
    changed();
  });
  setHandler(
    setMaxConcurrentUpdate,
    (n) => {
      c.maxConcurrent = n;
      changed();
      return n;
    },
    { validator: (n) => { if (!Number.isInteger(n) || n < 0) throw new Error('max concurrency must be a whole number >= 0'); } },
  );
  setHandler(
    cancelJobUpdate,
    (target) => {
      const touched = target === 'all' ? jobs.cancel(Object.keys(batch.jobs), 'cancelled by request (all jobs)') : jobs.cancel([target], 'cancelled by request');
      changed();
      return touched;
    },
    { validator: (target) => { if (target !== 'all' && !(target in batch.jobs)) throw new Error(`job ${target} is not in this batch`); } },
  );
}
