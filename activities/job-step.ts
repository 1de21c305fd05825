// The file work of a job between two model calls as one local activity: write the files of the
// last answer, mirror the job's status, prepare the next prompt. The end of each local activity
// costs the job a workflow activation (the largest part of its orchestration time), so one step
// instead of three saves two.
import { ApplicationFailure } from '@temporalio/common';
import { withDetails } from './failures';
import type { JobSpec } from '../core/job';
import type { JobStatus, StatusUpdate } from '../core/status';
import { FirstAsk, jobOpening } from '../core/job-opening';
import { WriteOutputsRequest, writeOutputs } from './outputs';
import type { PreparedPrompt, PromptLimits, PromptRequest } from '../core/prompts';
import { LoadJobRequest, loadJob } from './planning';
import { preparePrompt } from './prompts';
import { recordStatus } from './status';

export interface JobStepRequest {
  root: string;
  /** First: the files of the last answer (the prompt may show them). */
  write?: Omit<WriteOutputsRequest, 'root'>;
  /** Then: the job's intermediate statuses (pending_work, ...), in order. */
  status?: StatusUpdate[];
  /** Last: the next prompt, or the job's final status (which must be written). */
  prompt?: Omit<PromptRequest, 'root'>;
  finalStatus?: StatusUpdate;
}

export interface JobStepResult {
  written: string[];
  prepared?: PreparedPrompt;
}

export async function jobStep(req: JobStepRequest): Promise<JobStepResult> {
  const { root } = req;
  const written = req.write ? await writeOutputs({ root, ...req.write }) : [];
  if (req.finalStatus) {
    await recordStatus({ root, updates: [...(req.status ?? []), req.finalStatus] });
  } else if (req.status?.length) {
    try {
      await recordStatus({ root, updates: req.status });
    } catch (e) {
      // A status mirror that fails for good is not a job failure (the final status write reports
      // a problem that persists); anything else is retried with the step, which is idempotent.
      if (!(e instanceof ApplicationFailure && e.nonRetryable)) throw e;
    }
  }
  let prepared: PreparedPrompt | undefined;
  try {
    prepared = req.prompt ? await preparePrompt({ root, ...req.prompt }) : undefined;
  } catch (e) {
    // The files are on disk: the job's status and summary must name them even though it fails
    // here (a verify prompt over the limits, say).
    throw written.length > 0 ? withDetails(e, [{ writtenBeforeFailure: written } satisfies WrittenBeforeFailure]) : e;
  }
  return { written, ...(prepared ? { prepared } : {}) };
}

/** What a failed step had written, in its failure's details (read by the job, workflows/job-run.ts). */
export interface WrittenBeforeFailure {
  writtenBeforeFailure: string[];
}

export interface JobStartRequest extends LoadJobRequest {
  /** Also record the job's opening status with these fields and prepare its first prompt
   * (core/job-opening.ts); absent for fix / fix-all. */
  open?: { statusFields: Omit<StatusUpdate, 'id' | 'status'>; dependencyOutputs: string[]; limits: PromptLimits };
}

export interface JobStartResult {
  job: JobSpec;
  /** What was done ahead: the status recorded, and the first prompt when it could be prepared. */
  opened?: { status: JobStatus; ask?: FirstAsk; prepared?: PreparedPrompt };
}

/** The job's load step: the job file, then what the job does first (its opening status, the
 * prompt of its first model call), so its first model call needs no step of its own. */
export async function jobStart(req: JobStartRequest): Promise<JobStartResult> {
  const { root, open } = req;
  const job = await loadJob(req);
  if (!open) return { job };
  const { status, ask } = jobOpening(job);
  await jobStep({ root, status: [{ id: req.id, status, ...open.statusFields }] });
  // A prompt that cannot be prepared fails the job where it always did, in the job's own step:
  // the job asks for it again there.
  const prepared = ask ? await preparePrompt({ root, job, dependencyOutputs: open.dependencyOutputs, limits: open.limits, ...ask }).catch(() => undefined) : undefined;
  return { job, opened: { status, ...(ask ? { ask } : {}), ...(prepared ? { prepared } : {}) } };
}
