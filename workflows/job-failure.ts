// How the batch reads a job's end from the failure of its child workflow.
import { ApplicationFailure } from '@temporalio/workflow';
import type { JobResult } from './types';

/** The job's own result, carried as the details of its typed failure. */
export function jobResultOf(err: unknown): JobResult | undefined {
  let e = err as { cause?: unknown; details?: unknown[] } | undefined;
  while (e) {
    if (e instanceof ApplicationFailure && e.details?.[0] && typeof e.details[0] === 'object') return e.details[0] as JobResult;
    e = e.cause as typeof e;
  }
  return undefined;
}

/** Why a job ended that could not record its own result (timed out, terminated). */
export function failureMessage(err: unknown, jobTimeoutSeconds?: number): string {
  let e = err as { cause?: unknown; message?: string; name?: string } | undefined;
  while (e?.cause) e = e.cause as typeof e;
  if (e?.name === 'TimeoutFailure' || /timed out/i.test(e?.message ?? '')) return `the job timed out${jobTimeoutSeconds ? ` after ${jobTimeoutSeconds}s (--job-timeout)` : ''}`;
  // Temporal hands the parent no reason for a terminated child: say what it usually means.
  if (e?.name === 'TerminatedFailure') return 'the job\'s workflow was terminated (it was stuck, or ended by hand; its history in the Web UI says why)';
  return e?.message ?? String(err);
}
