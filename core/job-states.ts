// A job's state has three vocabularies, each for its own reader, and this is where they meet:
// - JobStatus (core/status.ts): the status file, in WorkSplit's words (created, pending_work,
//   pending_verification, …, pass, fail, partial); what `status` shows and the next run resumes.
// - JobState (core/schedule.ts): the batch's schedule (waiting, running, passed, failed,
//   skipped, cancelled); what the window and stop-on-fail decide on.
// - JobPhase (below): what a running job does now (generating, verifying, …); progress only.
// A job's own workflow writes its statuses as it goes and its final one (pass, fail, partial);
// the batch writes the status of a job that ended without that final word (statusAfterBatch).
// Pure.
import type { JobState } from './schedule';
import type { StatusUpdate } from './status';

export type JobPhase = 'starting' | 'testing' | 'generating' | 'writing' | 'verifying' | 'building' | 'running tests' | 'fixing' | 'done';

export interface EndedJob {
  state: JobState;
  reason?: string;
  /** Set once the job's workflow was started. */
  startedAt?: number;
}

/** The status-file entry for a job the batch ended without its workflow's final status: a job
 * that failed before it could run (judged at planning, so it counts as run) or whose workflow
 * failed is `fail` with its reason; a skipped or cancelled job goes back to `created` (nothing
 * more, so the next run picks it up), a cancelled one that had started marked as not run. */
export function statusAfterBatch(id: string, job: EndedJob): StatusUpdate {
  const started = job.startedAt !== undefined;
  if (job.state === 'failed') return { id, status: 'fail', error: job.reason ?? 'failed', ...(started ? {} : { ran: true }) };
  if (job.state === 'cancelled') return { id, status: 'created', error: job.reason ?? 'cancelled', ...(started ? { ran: false } : {}) };
  return { id, status: 'created', error: job.reason ?? 'skipped' };
}
