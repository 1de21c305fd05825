// Queries, signals and updates of the batch and job workflows, and the workflow types by name.
// Definitions and types only, so the CLI can import them without pulling in workflow code.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { batchWorkflow } from './batch';
import type { jobWorkflow } from './job';
import type { BatchProgress, JobProgress } from './types';
import type { AdditionResult } from '../core/additions';

export const progressQuery = defineQuery<BatchProgress>('progress');
export const jobProgressQuery = defineQuery<JobProgress>('jobProgress');

/** Running jobs finish; nothing new starts until resume. */
export const pauseSignal = defineSignal('pause');
export const resumeSignal = defineSignal('resume');
/** Change max_concurrent of the running batch; returns the new value. */
export const setMaxConcurrentUpdate = defineUpdate<number, [number]>('setMaxConcurrent');
/** Cancel one job (or every job with "all"); returns the ids cancelled or skipped. */
export const cancelJobUpdate = defineUpdate<string[], [string]>('cancelJob');
/** Join the job files added or changed since the batch planned (core/additions.ts). */
export const addJobsUpdate = defineUpdate<AdditionResult, []>('addJobs');

// The client starts workflows as `start<BatchWorkflow>(BATCH_WORKFLOW_TYPE, …)`: arguments and
// result are checked against the workflow function's own type (a type-only import), while the
// worker registers the function under the same name (test/unit/messages.test.ts holds them
// together).
export type BatchWorkflow = typeof batchWorkflow;
export type JobWorkflow = typeof jobWorkflow;
export const BATCH_WORKFLOW_TYPE = 'batchWorkflow';
export const JOB_WORKFLOW_TYPE = 'jobWorkflow';
