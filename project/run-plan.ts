// What a run would do, from the job folder and the status file (synced in memory only, never
// written): the batch's planning activity, `run --dry-run`, `deps` and `preview` share it.
import { formatProblem } from '../core/job';
import { RunPlan, planRun } from '../core/plan';
import { SelectOptions, syncEntries } from '../core/status';
import { readJobFolder } from './job-files';
import { statusStoreFor } from './status-store';

export interface BatchPlan extends RunPlan {
  /** Every job id in jobs/ (the status file is synced to these). */
  allIds: string[];
  warnings: string[];
}

export async function planFromProject(root: string, maxContextFiles: number, selection: SelectOptions): Promise<BatchPlan> {
  const folder = await readJobFolder(root, maxContextFiles);
  const current = await statusStoreFor(root).read();
  const { entries } = syncEntries(current, folder.ids, new Date().toISOString());
  const plan = planRun({ ...folder, entries, selection });
  return { ...plan, allIds: folder.ids, warnings: [...folder.warnings.map(formatProblem), ...plan.graphWarnings] };
}
