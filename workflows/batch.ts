// The batch: plan the run, then keep up to max_concurrent job workflows in flight (a sliding
// window over the dependency graph), starting each job as soon as its own dependencies passed.
import {
  ApplicationFailure,
  CancellationScope,
  ParentClosePolicy,
  condition,
  continueAsNew,
  executeChild,
  isCancellation,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { JOB_KEY, PROJECT_KEY, STATUS_KEY } from '../core/search-attributes';
import {
  ScheduleState,
  countAll,
  countIn,
  isFinished,
  markPassed,
  markRunning,
  markUnsuccessful,
  newSchedule,
  nextToStart,
  skipAllWaiting,
} from '../core/schedule';
import type { StatusUpdate } from '../core/status';
import { waitsFor } from '../core/graph';
import { jobWorkflowId } from '../core/ids';
import { addUsage, emptyUsage } from '../core/usage';
import { jobWorkflow } from './job';
import { fileActivities } from './activity-proxies';
import { cancelJobUpdate, pauseSignal, progressQuery, resumeSignal, setMaxConcurrentUpdate } from './messages';
import type { BatchInput, BatchProgress, BatchResult, BatchTotals, CarriedBatch, JobResult } from './types';

export async function batchWorkflow(input: BatchInput): Promise<BatchResult> {
  const { project, settings } = input;
  const files = fileActivities(settings);

  // Queries are not buffered like signals: answer "planning" until the plan is there.
  let planned: CarriedBatch | undefined = input.carried;
  setHandler(progressQuery, () => (planned ? progress(false) : planningProgress()));
  const state: CarriedBatch = planned ?? (await plan());
  planned = state;
  const s: ScheduleState = state.schedule;
  const barriers = input.groupBarriers ? state.groups : undefined;
  const scopes = new Map<string, CancellationScope>();
  const statusWrites: Promise<void>[] = [];
  let dirty = true;
  let draining = false;

  const record = (updates: StatusUpdate[]) => {
    if (updates.length > 0) statusWrites.push(files.recordStatus({ root: project.root, updates }));
  };
  const skippedUpdates = (ids: string[]) => skippedUpdatesFor(s, ids);
  // Workflow time: in the sandbox Date.now() is the start of the current workflow task, recorded
  // in history and the same on replay (the SDK has no separate clock API for this).
  const now = () => Date.now();

  setHandler(pauseSignal, () => {
    state.paused = true;
    dirty = true;
  });
  setHandler(resumeSignal, () => {
    state.paused = false;
    dirty = true;
  });
  setHandler(
    setMaxConcurrentUpdate,
    (n) => {
      state.maxConcurrent = n;
      dirty = true;
      return n;
    },
    { validator: (n) => { if (!Number.isInteger(n) || n < 0) throw new Error('max concurrency must be a whole number >= 0'); } },
  );
  setHandler(cancelJobUpdate, (target) => cancelJobs(target === 'all' ? Object.keys(s.jobs) : [target], target === 'all' ? 'cancelled by request (all jobs)' : 'cancelled by request'), {
    validator: (target) => { if (target !== 'all' && !(target in s.jobs)) throw new Error(`job ${target} is not in this batch`); },
  });

  while (!isFinished(s)) {
    if (!state.paused && !state.stopping && !draining) {
      for (const id of nextToStart(s, state.maxConcurrent, barriers)) startJob(id);
    }
    if (isFinished(s)) break;
    const running = countIn(s, 'running');
    if (running === 0 && draining) {
      await Promise.all(statusWrites);
      await continueAsNew<typeof batchWorkflow>({ ...input, carried: { ...state, generation: state.generation + 1 } });
    }
    if (running === 0 && !state.paused && !draining && nextToStart(s, state.maxConcurrent, barriers).length === 0) {
      // Nothing runs and nothing can start: whatever still waits can never run.
      record(skippedUpdates(skipAllWaiting(s, 'skipped: its dependencies can never pass')));
      break;
    }
    setCurrentDetails(detailsLine());
    await condition(() => dirty);
    dirty = false;
    if (workflowInfo().continueAsNewSuggested) draining = true;
  }
  await Promise.all(statusWrites);
  setCurrentDetails(`done: ${detailsLine()}`);
  if (input.searchAttributes) {
    const t = totals();
    upsertSearchAttributes([{ key: STATUS_KEY, value: t.passed === t.total ? 'passed' : t.failed > 0 ? 'failed' : 'incomplete' }]);
  }
  return progress(true);

  async function plan(): Promise<CarriedBatch> {
    const p = await files.planBatch({ root: project.root, maxContextFiles: settings.limits.maxContextFiles, selection: input.selection });
    await files.syncStatusFile({ root: project.root, ids: p.allIds });
    // p.after is absent from plans recorded before order-only edges existed: no change then.
    const schedule = newSchedule(p.selected, p.deps, p.after);
    const carried: CarriedBatch = {
      schedule,
      reports: Object.fromEntries(p.selected.map((id) => [id, { state: 'waiting' as const }])),
      dependencyOutputs: p.dependencyOutputs,
      descriptions: p.descriptions,
      deps: waitsFor(p.deps, p.after),
      groups: p.groups,
      tokens: emptyUsage(),
      warnings: [...p.warnings, ...(p.stuckNotResumed.length > 0 ? [`${p.stuckNotResumed.length} stuck job(s) not resumed (${p.stuckNotResumed.join(', ')}); run with --resume to retry them`] : [])],
      paused: false,
      maxConcurrent: settings.maxConcurrent,
      stopping: false,
      generation: 0,
    };
    // Jobs that cannot run fail now with their reason; their dependents are skipped.
    const updates: StatusUpdate[] = [];
    for (const [id, reason] of Object.entries(p.invalid)) {
      const skipped = markUnsuccessful(schedule, id, 'failed', reason);
      updates.push({ id, status: 'fail', error: reason, ran: true }, ...skippedUpdatesFor(schedule, skipped));
    }
    for (const id of Object.keys(schedule.jobs)) carried.reports[id] = { ...carried.reports[id], ...schedule.jobs[id] };
    if (updates.length > 0) await files.recordStatus({ root: project.root, updates });
    return carried;
  }

  function startJob(id: string): void {
    markRunning(s, id);
    state.reports[id] = { state: 'running', startedAt: now() };
    const scope = new CancellationScope();
    scopes.set(id, scope);
    scope
      .run(() =>
        executeChild(jobWorkflow, {
          workflowId: jobWorkflowId(project.key, id),
          taskQueue: input.queues.project,
          args: [{ project, queues: input.queues, settings, jobId: id, dependencyOutputs: state.dependencyOutputs[id] ?? [], ...(input.fixOnly ? { fixOnly: true } : {}), ...(input.searchAttributes ? { searchAttributes: true } : {}) }],
          parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
          staticSummary: `${input.fixOnly ? 'fix' : 'job'} ${id}${state.deps[id]?.length ? ` (after ${state.deps[id].join(', ')})` : ''}`,
          ...(state.descriptions?.[id] ? { staticDetails: state.descriptions[id] } : {}),
          ...(input.searchAttributes
            ? { typedSearchAttributes: [{ key: PROJECT_KEY, value: project.key }, { key: JOB_KEY, value: id }, { key: STATUS_KEY, value: 'running' }] }
            : {}),
          ...(input.jobTimeoutSeconds ? { workflowExecutionTimeout: `${input.jobTimeoutSeconds}s` } : {}),
        }),
      )
      .then(
        (result) => {
          markPassed(s, id);
          finishReport(id, result);
        },
        (err) => onUnsuccessful(id, err),
      )
      .finally(() => {
        scopes.delete(id);
        dirty = true;
      });
  }

  function onUnsuccessful(id: string, err: unknown): void {
    const result = jobResultOf(err);
    if (isCancellation(err) && result === undefined) {
      const reason = s.jobs[id].reason?.startsWith('cancelled') ? s.jobs[id].reason! : 'cancelled';
      const skipped = markUnsuccessful(s, id, 'cancelled', reason);
      finishReport(id, undefined);
      // A cancelled job goes back to created (and not ran), so the next run picks it up again.
      record([{ id, status: 'created', error: reason, ran: false }, ...skippedUpdates(skipped)]);
      return;
    }
    const reason = result?.reason ?? failureMessage(err, input.jobTimeoutSeconds);
    const skipped = markUnsuccessful(s, id, 'failed', reason);
    finishReport(id, result);
    // A job that ended without recording its own result (timed out, terminated) is failed here.
    record([...(result ? [] : [{ id, status: 'fail' as const, error: reason }]), ...skippedUpdates(skipped)]);
    if (settings.stopOnFail && !state.stopping) {
      state.stopping = true;
      const why = `stop-on-fail: job ${id} failed`;
      record(skippedUpdates(skipAllWaiting(s, `skipped: ${why}`)));
      cancelJobs([...scopes.keys()], `cancelled: ${why}`);
    }
  }

  function cancelJobs(ids: string[], reason: string): string[] {
    const touched: string[] = [];
    for (const id of ids) {
      const e = s.jobs[id];
      if (e.state === 'running') {
        e.reason = reason.startsWith('cancelled') ? reason : `cancelled: ${reason}`;
        scopes.get(id)?.cancel();
        touched.push(id);
      } else if (e.state === 'waiting') {
        const skipped = markUnsuccessful(s, id, 'cancelled', reason.startsWith('cancelled') ? reason : `cancelled: ${reason}`);
        finishReport(id, undefined);
        record([{ id, status: 'created', error: s.jobs[id].reason }, ...skippedUpdates(skipped)]);
        touched.push(id, ...skipped);
      }
    }
    dirty = true;
    return touched;
  }

  function finishReport(id: string, result: JobResult | undefined): void {
    const r = state.reports[id] ?? {};
    state.reports[id] = {
      ...r,
      state: s.jobs[id].state,
      ...(s.jobs[id].reason ? { reason: s.jobs[id].reason } : {}),
      ...(result?.reason && s.jobs[id].state === 'passed' ? { reason: result.reason } : {}),
      finishedAt: now(),
      ...(result ? { outputs: result.outputs, retried: result.retried, tokens: result.tokens, ...(result.warnings ? { warnings: result.warnings } : {}) } : {}),
    };
    if (result) state.tokens = addUsage(state.tokens, result.tokens);
  }

  function totals(): BatchTotals {
    const n = countAll(s);
    return { total: Object.keys(s.jobs).length, passed: n.passed, failed: n.failed, skipped: n.skipped, cancelled: n.cancelled, running: n.running, waiting: n.waiting };
  }

  function progress(done: boolean): BatchProgress {
    const jobs: BatchProgress['jobs'] = {};
    for (const [id, e] of Object.entries(s.jobs)) {
      const r = state.reports[id] ?? {};
      jobs[id] = { ...r, state: e.state, ...(e.reason && !r.reason ? { reason: e.reason } : {}) };
    }
    return {
      jobs,
      totals: totals(),
      tokens: state.tokens,
      warnings: state.warnings,
      done,
      paused: state.paused,
      maxConcurrent: state.maxConcurrent,
      stopping: state.stopping,
      generation: state.generation,
      groups: state.groups,
    };
  }

  function detailsLine(): string {
    const t = totals();
    return `${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped, ${t.cancelled} cancelled, ${t.running} running, ${t.waiting} waiting of ${t.total}${state.paused ? ' (paused)' : ''}`;
  }
}

function planningProgress(): BatchProgress {
  return {
    jobs: {},
    totals: { total: 0, passed: 0, failed: 0, skipped: 0, cancelled: 0, running: 0, waiting: 0 },
    tokens: emptyUsage(),
    warnings: [],
    done: false,
    paused: false,
    maxConcurrent: 0,
    stopping: false,
    generation: 0,
    groups: [],
    planning: true,
  };
}

function skippedUpdatesFor(s: ScheduleState, ids: string[]): StatusUpdate[] {
  return ids.map((id) => ({ id, status: 'created', error: s.jobs[id].reason ?? 'skipped' }));
}

/** The job's own result, carried as the details of its typed failure. */
function jobResultOf(err: unknown): JobResult | undefined {
  let e = err as { cause?: unknown; details?: unknown[] } | undefined;
  while (e) {
    if (e instanceof ApplicationFailure && e.details?.[0] && typeof e.details[0] === 'object') return e.details[0] as JobResult;
    e = e.cause as typeof e;
  }
  return undefined;
}

function failureMessage(err: unknown, jobTimeoutSeconds?: number): string {
  let e = err as { cause?: unknown; message?: string; name?: string } | undefined;
  while (e?.cause) e = e.cause as typeof e;
  if (e?.name === 'TimeoutFailure' || /timed out/i.test(e?.message ?? '')) return `the job timed out${jobTimeoutSeconds ? ` after ${jobTimeoutSeconds}s (--job-timeout)` : ''}`;
  // Temporal hands the parent no reason for a terminated child: say what it usually means.
  if (e?.name === 'TerminatedFailure') return 'the job\'s workflow was terminated (it was stuck, or ended by hand; its history in the Web UI says why)';
  return e?.message ?? String(err);
}
