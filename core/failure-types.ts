// Every failure type a job, a model call or a file activity ends with: the `type` of its
// ApplicationFailure, what the Web UI shows and what retry policies name. One list, so a type is
// spelled one way everywhere and a new one is added here first.
export const FAILURE_TYPES = [
  // Input that another attempt cannot fix.
  'InvalidJob',
  'InvalidProject',
  'PathOutsideProject',
  'LimitExceeded',
  'StatusFileCorrupt',
  'DiskFull',
  'ForeignProject',
  'NotConfigured',
  // The model and its server.
  'ModelNotFound',
  'ContextOverflow',
  'ThinkOnlyStall',
  'LlmStalled',
  'LlmTimeout',
  'LlmFirstByteTimeout',
  'OllamaUnreachable',
  'OllamaError',
  // What a job's answer or checks came to.
  'NoCodeInAnswer',
  'NoEditsInAnswer',
  'EditsFailed',
  'EditsPartiallyApplied',
  'VerificationFailed',
  'BuildFailed',
  'TestsFailed',
  'LintFailed',
  'JobFailed',
] as const;

export type FailureType = (typeof FAILURE_TYPES)[number];

/** Types a retry of the activity cannot fix (retry policies' nonRetryableErrorTypes). */
export const NON_RETRYABLE_TYPES: readonly FailureType[] = ['InvalidJob', 'InvalidProject', 'PathOutsideProject', 'LimitExceeded', 'StatusFileCorrupt', 'ModelNotFound'];

export function isFailureType(t: string | undefined): t is FailureType {
  return (FAILURE_TYPES as readonly string[]).includes(t ?? '');
}
