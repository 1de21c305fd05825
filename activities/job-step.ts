// The file work of a job between two model calls as one local activity: write the files of the
// last answer, mirror the job's status, prepare the next prompt. The end of each local activity
// costs the job a workflow activation (the largest part of its orchestration time), so one step
// instead of three saves two.
import { ApplicationFailure } from '@temporalio/common';
import type { StatusUpdate } from '../core/status';
import { WriteOutputsRequest, writeOutputs } from './outputs';
import type { PreparedPrompt, PromptRequest } from '../project/prompt-files';
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
  const prepared = req.prompt ? await preparePrompt({ root, ...req.prompt }) : undefined;
  return { written, ...(prepared ? { prepared } : {}) };
}
