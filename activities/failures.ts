// Typed, non-retryable failures for problems that another attempt cannot fix (bad job input,
// unsafe paths, a corrupt status file, a full disk). Everything else stays retryable.
import { ApplicationFailure } from '@temporalio/common';
import { UnsafePathError } from '../core/paths';
import { DiskFullError } from './atomic-write';
import { NoJobsFolderError } from './jobs-folder';
import { ConfigError } from '../core/config';
import { LimitExceededError, ProjectFileError } from './project-fs';
import { StatusFileCorruptError } from './status-store';

export function invalidJob(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, 'InvalidJob');
}

/** Rethrow known input errors as typed non-retryable failures. */
export function asFailure(e: unknown): unknown {
  if (e instanceof UnsafePathError) return ApplicationFailure.nonRetryable(e.message, 'PathOutsideProject');
  if (e instanceof LimitExceededError) return ApplicationFailure.nonRetryable(e.message, 'LimitExceeded');
  if (e instanceof ConfigError) return ApplicationFailure.nonRetryable(e.message, 'InvalidProject');
  if (e instanceof ProjectFileError) return ApplicationFailure.nonRetryable(e.message, 'InvalidJob');
  if (e instanceof StatusFileCorruptError) return ApplicationFailure.nonRetryable(e.message, 'StatusFileCorrupt');
  // Another attempt a moment later would find the disk as full; the job fails with the file named.
  if (e instanceof DiskFullError) return ApplicationFailure.nonRetryable(e.message, 'DiskFull');
  if (e instanceof NoJobsFolderError) return ApplicationFailure.nonRetryable(e.message, 'InvalidProject');
  return e;
}

export async function typedFailures<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw asFailure(e);
  }
}
