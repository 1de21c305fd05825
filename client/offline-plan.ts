// The run plan computed locally, without Temporal: for `run --dry-run` (and `deps`). Reads, never
// writes: the status file is synced in memory only.
import { formatProblem } from '../core/job';
import { RunPlan, planRun } from '../core/plan';
import { SelectOptions, syncEntries } from '../core/status';
import { readJobFolder } from '../project/job-files';
import { statusStoreFor } from '../project/status-store';

export async function offlinePlan(root: string, maxContextFiles: number, selection: SelectOptions): Promise<RunPlan & { warnings: string[] }> {
  const folder = await readJobFolder(root, maxContextFiles);
  const current = await statusStoreFor(root).read();
  const { entries } = syncEntries(current, folder.ids, new Date().toISOString());
  const plan = planRun({ ...folder, entries, selection });
  return { ...plan, warnings: [...folder.warnings.map(formatProblem), ...plan.graphWarnings] };
}
