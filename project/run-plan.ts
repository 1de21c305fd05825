// What a run would do, from the job folder and the status file (synced in memory only, never
// written): the batch's planning activity, `run --dry-run`, `deps` and `preview` share it.
import { formatProblem } from '../core/job';
import { RunPlan, planRun } from '../core/plan';
import { SelectOptions, selectJobs, syncEntries } from '../core/status';
import { fingerprintsOf } from '../core/fingerprint';
import type { AdditionPlan } from '../core/additions';
import { readJobFolder } from './job-files';
import { statusStoreFor } from './status-store';

export interface BatchPlan extends RunPlan {
  /** Every job id in jobs/ (the status file is synced to these). */
  allIds: string[];
  warnings: string[];
  /** Per valid selected job, its file's fingerprint (core/fingerprint.ts): how the running batch
   * tells a job file changed. Absent in plans made before. */
  fingerprints?: Record<string, string>;
}

export async function planFromProject(root: string, maxContextFiles: number, selection: SelectOptions): Promise<BatchPlan> {
  const folder = await readJobFolder(root, maxContextFiles);
  const current = await statusStoreFor(root).read();
  const { entries } = syncEntries(current, folder.ids, new Date().toISOString());
  const plan = planRun({ ...folder, entries, selection });
  return { ...plan, allIds: folder.ids, warnings: [...folder.warnings.map(formatProblem), ...plan.graphWarnings], fingerprints: fingerprintsOf(folder.jobs, plan.selected) };
}

/**
 * For a running batch: the job files that are new since it planned (a run would pick them:
 * status created) or changed (by fingerprint, when the batch has them), planned together with the
 * batch's own jobs so dependencies resolve against the running graph.
 */
export async function planAdditionFromProject(root: string, maxContextFiles: number, batchIds: string[], fingerprints: Record<string, string> | undefined): Promise<AdditionPlan> {
  const folder = await readJobFolder(root, maxContextFiles);
  const current = await statusStoreFor(root).read();
  const { entries } = syncEntries(current, folder.ids, new Date().toISOString());
  const inBatch = new Set(batchIds);
  const picked = new Set(selectJobs(entries, { resume: false, rerun: false }).selected);
  const newIds = folder.ids.filter((id) => !inBatch.has(id) && picked.has(id));
  const now = fingerprintsOf(folder.jobs, folder.ids);
  // A job whose file no longer parses counts as changed too: the plan names its problem.
  const inFolder = new Set(folder.ids);
  const changedIds = fingerprints ? batchIds.filter((id) => inFolder.has(id) && fingerprints[id] !== undefined && now[id] !== fingerprints[id]) : [];
  const plan = planRun({ ...folder, entries, selection: { resume: false, rerun: false, ids: [...batchIds, ...newIds] } });
  const touched: Record<string, string> = {};
  for (const id of [...newIds, ...changedIds]) if (now[id] !== undefined) touched[id] = now[id];
  return {
    newIds,
    changedIds,
    plan: { deps: plan.deps, after: plan.after, invalid: plan.invalid, dependencyOutputs: plan.dependencyOutputs, descriptions: plan.descriptions },
    fingerprints: touched,
    allIds: folder.ids,
  };
}
