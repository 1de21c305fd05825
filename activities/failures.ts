// Typed, non-retryable failures for problems that another attempt cannot fix (bad job input,
// unsafe paths, a corrupt status file, a full disk). Everything else stays retryable.
import { ApplicationFailure } from '@temporalio/common';
import type { FailureType } from '../core/failure-types';
import { boundedReason } from '../core/reason';
import { UnsafePathError } from '../core/paths';
import { DiskFullError } from '../project/atomic-write';
import { NoJobsFolderError } from '../project/jobs-folder';
import { ConfigError } from '../core/config';
import { LimitExceededError, ProjectFileError } from '../project/project-fs';
import { MissingSystemPromptError, PromptLimitError } from '../project/prompt-files';
import { StatusFileCorruptError } from '../project/status-store';

/** A failure no retry can fix, of one of the known types. */
export function finalFailure(message: string, type: FailureType): ApplicationFailure {
  return ApplicationFailure.nonRetryable(boundedReason(message), type);
}

/** A failure Temporal retries with the activity's policy. */
export function retryableFailure(message: string, type: FailureType): ApplicationFailure {
  return ApplicationFailure.retryable(boundedReason(message), type);
}

/** The same failure (message, type, whether it is retried) carrying `details` for the workflow:
 * what a step wrote before it failed, the tokens of a call whose answer was refused. */
export function withDetails(e: unknown, details: unknown[]): ApplicationFailure {
  const err = e as { message?: string; type?: string | null; nonRetryable?: boolean | null };
  return ApplicationFailure.create({ type: err.type ?? 'Error', message: err.message ?? String(e), nonRetryable: err.nonRetryable ?? false, details, cause: e instanceof Error ? e : undefined });
}

export function invalidJob(message: string): ApplicationFailure {
  return finalFailure(message, 'InvalidJob');
}

/** Rethrow known input errors as typed non-retryable failures. */
export function asFailure(e: unknown): unknown {
  if (e instanceof UnsafePathError) return finalFailure(e.message, 'PathOutsideProject');
  if (e instanceof LimitExceededError || e instanceof PromptLimitError) return finalFailure(e.message, 'LimitExceeded');
  if (e instanceof MissingSystemPromptError) return finalFailure(e.message, 'InvalidProject');
  if (e instanceof ConfigError) return finalFailure(e.message, 'InvalidProject');
  if (e instanceof ProjectFileError) return finalFailure(e.message, 'InvalidJob');
  if (e instanceof StatusFileCorruptError) return finalFailure(e.message, 'StatusFileCorrupt');
  // Another attempt a moment later would find the disk as full; the job fails with the file named.
  if (e instanceof DiskFullError) return finalFailure(e.message, 'DiskFull');
  if (e instanceof NoJobsFolderError) return finalFailure(e.message, 'InvalidProject');
  return e;
}

export async function typedFailures<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw asFailure(e);
  }
}
