// `worksplit cancel JOB|all`: cancel through Temporal; the job's model stream is aborted, its
// status goes back to created with the reason, and its dependents are skipped.
import { withRunningBatch } from './control';
import { Output, UsageError, plural } from '../output';

export async function cancelCommand(dir: string, target: string, out: Output): Promise<number> {
  return withRunningBatch(dir, async (b) => {
    if (target !== 'all' && !(target in b.progress.jobs)) throw new UsageError(`job "${target}" is not in the running batch (its jobs: ${Object.keys(b.progress.jobs).join(', ')})`);
    const touched = await b.handle.executeUpdate<string[], [string]>('cancelJob', { args: [target] });
    out.line(touched.length === 0 ? `Nothing to cancel: ${target === 'all' ? 'every job' : target} has already finished.` : `Cancelled ${plural(touched.length, 'job')}: ${touched.join(', ')}.`);
    return 0;
  });
}
