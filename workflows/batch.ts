// The batch: plan the run, then keep up to max_concurrent job workflows in flight (a sliding
// window over the dependency graph), starting each job as soon as its own dependencies passed.
import { allHandlersFinished, condition, continueAsNew, setCurrentDetails, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { STATUS_KEY } from '../core/search-attributes';
import { fileActivities } from './activity-proxies';
import { BatchJobs } from './batch-jobs';
import { handleBatchMessages } from './batch-handlers';
import { handleJobAdditions } from './batch-additions';
import { planBatch } from './batch-plan';
import { BatchState, planningProgress } from './batch-state';
import { progressQuery } from './messages';
import type { BatchInput, BatchResult } from './types';

export async function batchWorkflow(input: BatchInput): Promise<BatchResult> {
  const files = fileActivities(input.settings);
  // Queries are not buffered like signals: answer "planning" until the plan is there.
  // eslint-disable-next-line prefer-const -- set once the plan is there, after the handler that reads it
  let batch: BatchState | undefined;
  setHandler(progressQuery, () => batch?.progress(false) ?? planningProgress());
  // Job files added while the batch plans wait for the plan: the update is there from the start.
  // eslint-disable-next-line prefer-const -- set once the plan is there, after the handler that uses it
  let jobs: BatchJobs | undefined;
  let closing = false;
  handleJobAdditions(input, () => (jobs ? batch : undefined), files, { changed: () => showProgress(), record: (ids) => jobs!.record(ids) }, () => closing);
  const { plan, failed } = input.carried ? { plan: input.carried, failed: [] } : await planBatch(input, files);
  // Workflow time: in the sandbox Date.now() is the start of the current workflow task, recorded
  // in history and the same on replay (the SDK has no separate clock API for this).
  batch = new BatchState(plan, input.groupBarriers ? plan.groups : undefined, () => Date.now());
  const state = batch;
  const showProgress = () => setCurrentDetails(state.detailsLine());
  jobs = new BatchJobs(input, state, files, showProgress);
  await jobs.record(failed);
  handleBatchMessages(state, jobs, showProgress);

  // Near the history limit, start no more jobs and continue as new once the running ones ended.
  let draining = false;
  const windowCanTake = () => !draining && state.windowHasRoom() && state.startable().length > 0;
  // Nothing runs and (unless paused) nothing will start by itself: finished, stuck or draining.
  const idle = () => state.runningCount() === 0 && (draining || !state.carried.paused);
  const drainDue = () => !draining && workflowInfo().continueAsNewSuggested;
  // An addition in flight may bring jobs: the batch neither ends nor continues as new under it.
  const settled = () => (state.isFinished() || idle()) && allHandlersFinished();

  for (;;) {
    if (!draining && state.windowHasRoom()) for (const id of state.startable()) jobs.start(id);
    if (state.isFinished() && allHandlersFinished()) break;
    if (state.runningCount() === 0 && draining && allHandlersFinished()) {
      await jobs.settled();
      // An addition that came while the statuses were written joins before the batch carries on.
      await condition(allHandlersFinished);
      await continueAsNew<typeof batchWorkflow>({ ...input, carried: { ...state.carried, generation: state.carried.generation + 1 } });
    }
    if (idle() && allHandlersFinished()) {
      // Nothing runs and nothing can start: whatever still waits can never run.
      void jobs.record(state.skipAllWaiting('skipped: its dependencies can never pass'));
      break;
    }
    showProgress();
    await condition(() => windowCanTake() || settled() || drainDue());
    if (workflowInfo().continueAsNewSuggested) draining = true;
  }
  closing = true;
  await jobs.settled();
  setCurrentDetails(`done: ${state.detailsLine()}`);
  if (input.searchAttributes) {
    const t = state.totals();
    upsertSearchAttributes([{ key: STATUS_KEY, value: t.passed === t.total ? 'passed' : t.failed > 0 ? 'failed' : 'incomplete' }]);
  }
  return state.progress(true);
}
