// Planning a batch: read every job file and the status file, decide what runs. Read-only.
import { JobSpec, formatProblem } from '../core/job';
import type { SelectOptions } from '../core/status';
import { typedFailures, invalidJob } from './failures';
import { readJobFile } from '../project/job-files';
import { LimitExceededError } from '../project/project-fs';
import { BatchPlan, planAdditionFromProject, planFromProject } from '../project/run-plan';
import type { AdditionPlan } from '../core/additions';

export interface PlanRequest {
  root: string;
  maxContextFiles: number;
  selection: SelectOptions;
}

export async function planBatch(req: PlanRequest): Promise<BatchPlan> {
  return typedFailures(async () => {
    const plan = await planFromProject(req.root, req.maxContextFiles, req.selection);
    assertPlanFits(plan);
    return plan;
  });
}

/** The most a batch's plan may weigh. The batch carries the plan (job ids, dependencies, outputs)
 * in its history and again across continue-as-new, with per-job state beside it, and Temporal
 * refuses any payload over 2 MB: a larger plan would fail every workflow task of the batch, and
 * wedge it, instead of failing once with the reason. */
export const MAX_PLAN_BYTES = 1_000_000;

function assertPlanFits(plan: BatchPlan): void {
  const bytes = Buffer.byteLength(JSON.stringify(plan), 'utf8');
  if (bytes <= MAX_PLAN_BYTES) return;
  const longest = Math.max(...plan.allIds.map((id) => id.length));
  throw new LimitExceededError(
    'jobs/',
    `the batch plan of ${plan.selected.length} jobs (ids up to ${longest} characters) is ${(bytes / 1e6).toFixed(1)} MB, over the ${MAX_PLAN_BYTES / 1e6} MB one batch can carry in Temporal's history (its payload limit is 2 MB): run part of the folder at a time (run --job ID, or move jobs to another project folder), or use shorter job ids`,
  );
}

export interface AdditionRequest {
  root: string;
  maxContextFiles: number;
  /** The running batch's jobs, and their fingerprints when it has them. */
  batchIds: string[];
  fingerprints?: Record<string, string>;
}

/** For a running batch: the job files new or changed since it planned (core/additions.ts). */
export async function planAddition(req: AdditionRequest): Promise<AdditionPlan> {
  return typedFailures(() => planAdditionFromProject(req.root, req.maxContextFiles, req.batchIds, req.fingerprints));
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
