// Job files added or changed while the batch runs join it through the addJobs update: the batch
// reads the folder (a local activity), joins what it may (core/additions.ts) and answers what it
// took and what it refused. Recorded in history like every change of the batch.
import { condition, patched, setHandler } from '@temporalio/workflow';
import { describeAddition, joinBatch } from '../core/additions';
import type { fileActivities } from './activity-proxies';
import type { BatchState } from './batch-state';
import { addJobsUpdate } from './messages';
import type { BatchInput } from './types';

/** Marks the batches that took an addition; batches from before never got the update. */
const ADD_JOBS_PATCH = 'jobs-added-while-running';
const KEEP_ADDITION_LINES = 20;

/** Registered before the batch plans (an update may come while it does; it waits for the plan).
 * `state()` is the batch's state once planned; `record` writes the status of jobs the batch ends;
 * `closing`: the batch has ended its loop and takes nothing more. */
export function handleJobAdditions(
  input: BatchInput,
  state: () => BatchState | undefined,
  files: ReturnType<typeof fileActivities>,
  on: { changed: () => void; record: (ids: string[]) => Promise<void> },
  closing: () => boolean,
): void {
  // One addition at a time: two runs that send it at once read the folder in turn.
  let queue: Promise<unknown> = Promise.resolve();
  setHandler(
    addJobsUpdate,
    () => {
      const next = queue.then(async () => {
        patched(ADD_JOBS_PATCH);
        await condition(() => state() !== undefined);
        const c = state()!.carried;
        const root = input.project.root;
        const plan = await files.planAddition({ root, maxContextFiles: input.settings.limits.maxContextFiles, batchIds: Object.keys(c.schedule.jobs), ...(c.fingerprints ? { fingerprints: c.fingerprints } : {}) });
        if (plan.newIds.length > 0) await files.syncStatusFile({ root, ids: plan.allIds });
        const result = joinBatch(c, plan, () => ({ state: 'waiting' }));
        if (result.added.length + result.requeued.length + result.updated.length + result.refused.length > 0) {
          c.additions = [...(c.additions ?? []), describeAddition(result)].slice(-KEEP_ADDITION_LINES);
        }
        if (result.ended.length > 0) await on.record(result.ended);
        on.changed();
        return result;
      });
      queue = next.catch(() => undefined);
      return next;
    },
    {
      validator: () => {
        if (closing()) throw new Error('the batch has finished: run again to start a new one');
        if (input.fixOnly) throw new Error('a fix batch takes no new jobs');
        if (state()?.carried.stopping) throw new Error('the batch is stopping (stop-on-fail): run again after it ends');
      },
    },
  );
}
