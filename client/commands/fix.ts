// `worksplit fix JOB` and `worksplit fix-all`: lint the outputs of one job (or of every passed
// job) and let the model fix what the linter reports, as a batch on Temporal.
import { listJobIds } from '../../project/jobs-folder';
import { statusStoreFor } from '../../project/status-store';
import { syncEntries } from '../../core/status';
import { Output, UsageError } from '../output';
import { loadProject } from '../project';
import { RunOptions, runCommand } from './run';

export async function fixCommand(opts: RunOptions & { target?: string; all?: boolean }, out: Output): Promise<number> {
  const { config } = await loadProject(opts.path);
  if (!config.build.lint_command) throw new UsageError('fix needs [build] lint_command in worksplit.toml (the command whose findings the model fixes)');
  const ids = await listJobIds(opts.path);
  let targets: string[];
  if (opts.all) {
    const { entries } = syncEntries(await statusStoreFor(opts.path).read({ backUpCorrupt: true }), ids, new Date().toISOString());
    targets = entries.filter((e) => e.status === 'pass').map((e) => e.id);
    if (targets.length === 0) {
      out.line('No passed job to fix.');
      return 0;
    }
  } else {
    if (!opts.target || !ids.includes(opts.target)) throw new UsageError(`no job "${opts.target ?? ''}" in jobs/`);
    targets = [opts.target];
  }
  return runCommand({ ...opts, ids: targets, fixOnly: true }, out);
}
