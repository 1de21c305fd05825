// The batch's state as one object: one record per job (its schedule state and what the batch
// knows of its run), the window's settings, and the changes a job's end or a request makes.
// Pure and deterministic: the side effects (child workflows, status writes) are batch-jobs.ts.
import {
  countAll,
  effectiveConcurrency,
  isFinished,
  markPassed,
  markRunning,
  markUnsuccessful,
  nextToStart,
  skipAllWaiting,
} from '../core/schedule';
import { statusAfterBatch } from '../core/job-states';
import type { StatusUpdate } from '../core/status';
import { addUsage, emptyUsage } from '../core/usage';
import type { BatchJobReport, BatchProgress, BatchTotals, CarriedBatch, JobResult } from './types';

export class BatchState {
  /** The state handed to the next run by continue-as-new. */
  readonly carried: CarriedBatch;
  private running: number;

  /** `now`: workflow time (the start of the current workflow task, the same on replay). */
  constructor(carried: CarriedBatch, private readonly barriers: string[][] | undefined, private readonly now: () => number) {
    // A batch continued by an earlier version kept each job's run apart from its schedule entry.
    if (carried.reports) {
      for (const [id, report] of Object.entries(carried.reports)) carried.schedule.jobs[id] = { ...report, ...carried.schedule.jobs[id] };
      delete carried.reports;
    }
    this.carried = carried;
    this.running = countAll(carried.schedule).running;
  }

  get jobs(): Record<string, BatchJobReport> {
    return this.carried.schedule.jobs;
  }

  isFinished(): boolean {
    return isFinished(this.carried.schedule);
  }

  runningCount(): number {
    return this.running;
  }

  /** The sliding window: a job may start when fewer than max_concurrent run and none stops it. */
  windowHasRoom(): boolean {
    const c = this.carried;
    return !c.paused && !c.stopping && this.running < effectiveConcurrency(c.maxConcurrent);
  }

  /** Jobs whose own dependencies are done, as many as the window has room for. */
  startable(): string[] {
    return nextToStart(this.carried.schedule, this.carried.maxConcurrent, this.barriers);
  }

  start(id: string): void {
    markRunning(this.carried.schedule, id);
    this.jobs[id].startedAt = this.now();
    this.running++;
  }

  passed(id: string, result: JobResult): void {
    markPassed(this.carried.schedule, id);
    this.finished(id, result, true);
  }

  /** A job failed or was cancelled: returns the waiting jobs skipped because they depend on it. */
  unsuccessful(id: string, state: 'failed' | 'cancelled', reason: string, result?: JobResult): string[] {
    const wasRunning = this.jobs[id].state === 'running';
    const skipped = markUnsuccessful(this.carried.schedule, id, state, reason);
    // A job failed at planning never ran: it has no end to record.
    if (wasRunning || state === 'cancelled') this.finished(id, result, wasRunning);
    return skipped;
  }

  /** A cancel asked of a running job: the reason its end will carry. */
  cancelling(id: string, reason: string): void {
    this.jobs[id].reason = reason;
  }

  skipAllWaiting(reason: string): string[] {
    return skipAllWaiting(this.carried.schedule, reason);
  }

  /** The status-file entry of a job the batch ended (core/job-states.ts). */
  statusUpdate(id: string): StatusUpdate {
    return statusAfterBatch(id, this.jobs[id]);
  }

  totals(): BatchTotals {
    const n = countAll(this.carried.schedule);
    return { total: Object.keys(this.jobs).length, passed: n.passed, failed: n.failed, skipped: n.skipped, cancelled: n.cancelled, running: n.running, waiting: n.waiting };
  }

  progress(done: boolean): BatchProgress {
    const c = this.carried;
    return {
      jobs: this.jobs,
      totals: this.totals(),
      tokens: c.tokens,
      warnings: c.warnings,
      done,
      paused: c.paused,
      maxConcurrent: c.maxConcurrent,
      stopping: c.stopping,
      generation: c.generation,
      groups: c.groups,
      ...(c.additions?.length ? { additions: c.additions } : {}),
      deps: c.deps,
    };
  }

  detailsLine(): string {
    const t = this.totals();
    const added = this.carried.additions?.length ? `; while running: ${this.carried.additions[this.carried.additions.length - 1]}` : '';
    return `${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped, ${t.cancelled} cancelled, ${t.running} running, ${t.waiting} waiting of ${t.total}${this.carried.paused ? ' (paused)' : ''}${added}`;
  }

  private finished(id: string, result: JobResult | undefined, wasRunning: boolean): void {
    const j = this.jobs[id];
    if (wasRunning) this.running--;
    // A pass carries the verifier's warnings as its reason.
    if (result?.reason && j.state === 'passed') j.reason = result.reason;
    j.finishedAt = this.now();
    if (!result) return;
    j.outputs = result.outputs;
    j.retried = result.retried;
    j.tokens = result.tokens;
    if (result.warnings) j.warnings = result.warnings;
    this.carried.tokens = addUsage(this.carried.tokens, result.tokens);
  }
}

/** What the progress query answers while the batch still reads the job folder. */
export function planningProgress(): BatchProgress {
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
