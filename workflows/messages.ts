// Queries, signals and updates of the batch and job workflows. Definitions only, so the CLI
// can import them without pulling in workflow code.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { BatchProgress, JobProgress } from './types';

export const progressQuery = defineQuery<BatchProgress>('progress');
export const jobProgressQuery = defineQuery<JobProgress>('jobProgress');

/** Running jobs finish; nothing new starts until resume. */
export const pauseSignal = defineSignal('pause');
export const resumeSignal = defineSignal('resume');
/** Change max_concurrent of the running batch; returns the new value. */
export const setMaxConcurrentUpdate = defineUpdate<number, [number]>('setMaxConcurrent');
/** Cancel one job (or every job with "all"); returns the ids cancelled or skipped. */
export const cancelJobUpdate = defineUpdate<string[], [string]>('cancelJob');
