// `worksplit retry JOB` runs one job again now; `worksplit retry --failed` runs a new batch over
// the jobs that failed, ended partial, or were skipped or cancelled.
import { listJobIds } from '../../project/jobs-folder';
import { statusStoreFor } from '../../project/status-store';
import { syncEntries } from '../../core/status';
import { Output, UsageError } from '../output';
import { RunOptions, runCommand } from './run';

export async function retryCommand(opts: RunOptions & { failed?: boolean; target?: string }, out: Output): Promise<number> {
  if (opts.target && opts.failed) throw new UsageError('give a job id or --failed, not both');
  if (opts.target) return runCommand({ ...opts, job: opts.target }, out);
  if (!opts.failed) throw new UsageError('name the job to retry, or use --failed for every failed, skipped or cancelled job');
  const ids = await listJobIds(opts.path);
  const { entries } = syncEntries(await statusStoreFor(opts.path).read({ backUpCorrupt: true }), ids, new Date().toISOString());
  const again = entries.filter((e) => e.status === 'fail' || e.status === 'partial' || (e.status === 'created' && e.error)).map((e) => e.id);
  if (again.length === 0) {
    out.line('No failed, skipped or cancelled jobs to retry.');
    return 0;
  }
  out.line(`Retrying ${again.join(', ')}.`);
  return runCommand({ ...opts, ids: again }, out);
}
