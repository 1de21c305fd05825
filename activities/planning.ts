// Planning a batch: read every job file and the status file, decide what runs. Read-only.
import { JobSpec, formatProblem } from '../core/job';
import { RunPlan, planRun } from '../core/plan';
import { SelectOptions, syncEntries } from '../core/status';
import { typedFailures, invalidJob } from './failures';
import { readJobFile, readJobFolder } from './job-files';
import { statusStoreFor } from './status-store';

export interface PlanRequest {
  root: string;
  maxContextFiles: number;
  selection: SelectOptions;
}

export interface BatchPlan extends RunPlan {
  /** Every job id in jobs/ (the status file is synced to these). */
  allIds: string[];
  warnings: string[];
}

export async function planBatch(req: PlanRequest): Promise<BatchPlan> {
  return typedFailures(async () => {
    const folder = await readJobFolder(req.root, req.maxContextFiles);
    const current = await statusStoreFor(req.root).read();
    const { entries } = syncEntries(current, folder.ids, new Date().toISOString());
    const plan = planRun({ ...folder, entries, selection: req.selection });
    return { ...plan, allIds: folder.ids, warnings: [...folder.warnings.map(formatProblem), ...plan.graphWarnings] };
  });
}

export interface LoadJobRequest {
  root: string;
  id: string;
  maxContextFiles: number;
}

/** One job file, validated; an invalid file is a non-retryable InvalidJob failure. */
export async function loadJob(req: LoadJobRequest): Promise<JobSpec> {
  return typedFailures(async () => {
    const r = await readJobFile(req.root, req.id, req.maxContextFiles);
    if (!r.ok) throw invalidJob(r.problems.map(formatProblem).join('; '));
    return r.job;
  });
}
