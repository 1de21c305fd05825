// `worksplit cancel JOB|all`: cancel through Temporal; the job's model stream is aborted, its
// status goes back to created with the reason, and its dependents are skipped. `cancel all`
// always ends the batch: one that does not stop within --wait seconds (its workflow task fails
// on every attempt, or no worker runs it) is terminated with the reason, as the last resort.
import { cancelJobUpdate, progressQuery } from '../../workflows/messages';
import { findRunningBatchHandle } from '../live-batch';
import { Output, UsageError, plural } from '../output';
import { loadProject } from '../project';
import { releaseJobs, terminateBatch, within } from '../stuck-batch';

export async function cancelCommand(dir: string, target: string, out: Output, waitSeconds: number): Promise<number> {
  const project = await loadProject(dir);
  const b = await findRunningBatchHandle(project);
  if (!b) throw new UsageError('no batch is running for this project (start one with: worksplit run)');
  const waitMs = waitSeconds * 1000;
  try {
    if (target !== 'all') {
      const progress = await within(b.handle.query(progressQuery), waitMs);
      if (!progress) throw new UsageError(`the batch ${b.handle.workflowId} does not answer; it may be stuck. End it with: worksplit cancel all`);
      if (!(target in progress.value.jobs)) throw new UsageError(`job "${target}" is not in the running batch (its jobs: ${Object.keys(progress.value.jobs).join(', ')})`);
    }
    const touched = await within(b.handle.executeUpdate(cancelJobUpdate, { args: [target] }), waitMs);
    if (target !== 'all') {
      if (!touched) throw new UsageError(`the batch ${b.handle.workflowId} did not take the request within ${waitSeconds}s; it may be stuck. End it with: worksplit cancel all`);
      out.line(touched.value.length === 0 ? `Nothing to cancel: ${target} has already finished.` : `Cancelled ${plural(touched.value.length, 'job')}: ${touched.value.join(', ')}.`);
      return 0;
    }
    // A batch whose jobs are all cancelled ends; one that does not is stuck.
    const ended = touched !== undefined && ((await within(b.handle.result(), waitMs)) !== undefined || (await b.handle.describe()).status.name !== 'RUNNING');
    if (touched && ended) {
      out.line(touched.value.length === 0 ? 'Nothing to cancel: every job has already finished.' : `Cancelled ${plural(touched.value.length, 'job')}: ${touched.value.join(', ')}.`);
      return 0;
    }
    const why = touched ? `it did not stop within ${waitSeconds}s of cancelling its jobs` : `it did not take the cancel request within ${waitSeconds}s`;
    const reason = `worksplit cancel all: ${why}; terminated`;
    const jobs = await terminateBatch(b.client, b.handle, reason);
    const released = await releaseJobs(project.ref, jobs, `cancelled: the batch was terminated (${why})`);
    out.line(`The batch ${b.handle.workflowId} was stuck (${why}): terminated it${jobs.length > 0 ? ` and its ${plural(jobs.length, 'running job')}` : ''}.${released.length > 0 ? ` Back to created: ${released.join(', ')}.` : ''}`);
    return 0;
  } finally {
    await b.close();
  }
}
