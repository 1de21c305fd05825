// The batch's side of its jobs: start each as a child workflow, take in its end, cancel it, and
// write the status-file updates the batch owes (jobs that did not record their own end).
import { CancellationScope, ParentClosePolicy, executeChild, isCancellation } from '@temporalio/workflow';
import { JOB_KEY, PROJECT_KEY, STATUS_KEY } from '../core/search-attributes';
import { jobWorkflowId } from '../core/ids';
import { jobWorkflow } from './job';
import type { fileActivities } from './activity-proxies';
import { failureMessage, jobResultOf } from './job-failure';
import type { BatchState } from './batch-state';
import type { BatchInput, JobInput } from './types';

export class BatchJobs {
  private readonly scopes = new Map<string, CancellationScope>();
  private readonly statusWrites: Promise<void>[] = [];

  constructor(
    private readonly input: BatchInput,
    private readonly batch: BatchState,
    private readonly files: ReturnType<typeof fileActivities>,
    /** Called after every job's end. */
    private readonly onEnd: () => void,
  ) {}

  start(id: string): void {
    this.batch.start(id);
    const scope = new CancellationScope();
    this.scopes.set(id, scope);
    scope
      .run(() => executeChild(jobWorkflow, this.childOptions(id)))
      .then(
        (result) => this.batch.passed(id, result),
        (err) => this.unsuccessful(id, err),
      )
      .finally(() => {
        this.scopes.delete(id);
        this.onEnd();
      });
  }

  /** Cancel running jobs (their end records it) and waiting ones; returns the ids touched. */
  cancel(ids: string[], reason: string): string[] {
    const why = reason.startsWith('cancelled') ? reason : `cancelled: ${reason}`;
    const touched: string[] = [];
    for (const id of ids) {
      const state = this.batch.jobs[id].state;
      if (state === 'running') {
        this.batch.cancelling(id, why);
        this.scopes.get(id)?.cancel();
        touched.push(id);
      } else if (state === 'waiting') {
        const skipped = this.batch.unsuccessful(id, 'cancelled', why);
        void this.record([id, ...skipped]);
        touched.push(id, ...skipped);
      }
    }
    return touched;
  }

  /** Write the batch's status updates of these jobs in one local activity; settled() waits for it. */
  record(ids: string[]): Promise<void> {
    if (ids.length === 0) return Promise.resolve();
    const write = this.files.recordStatus({ root: this.input.project.root, updates: ids.map((id) => this.batch.statusUpdate(id)) });
    this.statusWrites.push(write);
    return write;
  }

  /** Every status write scheduled so far has finished. */
  async settled(): Promise<void> {
    await Promise.all(this.statusWrites);
  }

  private unsuccessful(id: string, err: unknown): void {
    const result = jobResultOf(err);
    if (isCancellation(err) && result === undefined) {
      const reason = this.batch.jobs[id].reason?.startsWith('cancelled') ? this.batch.jobs[id].reason! : 'cancelled';
      void this.record([id, ...this.batch.unsuccessful(id, 'cancelled', reason)]);
      return;
    }
    const skipped = this.batch.unsuccessful(id, 'failed', result?.reason ?? failureMessage(err, this.input.jobTimeoutSeconds), result);
    // A job that ended without recording its own result (timed out, terminated) is failed here.
    void this.record([...(result ? [] : [id]), ...skipped]);
    const carried = this.batch.carried;
    if (this.input.settings.stopOnFail && !carried.stopping) {
      carried.stopping = true;
      const why = `stop-on-fail: job ${id} failed`;
      void this.record(this.batch.skipAllWaiting(`skipped: ${why}`));
      this.cancel([...this.scopes.keys()], `cancelled: ${why}`);
    }
  }

  private childOptions(id: string) {
    const { input } = this;
    const { project } = input;
    const c = this.batch.carried;
    const args: [JobInput] = [{ project, queues: input.queues, settings: input.settings, jobId: id, dependencyOutputs: c.dependencyOutputs[id] ?? [], ...(input.fixOnly ? { fixOnly: true } : {}), ...(input.searchAttributes ? { searchAttributes: true } : {}) }];
    return {
      workflowId: jobWorkflowId(project.key, id),
      taskQueue: input.queues.project,
      args,
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      staticSummary: `${input.fixOnly ? 'fix' : 'job'} ${id}${c.deps[id]?.length ? ` (after ${c.deps[id].join(', ')})` : ''}`,
      ...(c.descriptions?.[id] ? { staticDetails: c.descriptions[id] } : {}),
      ...(input.searchAttributes
        ? { typedSearchAttributes: [{ key: PROJECT_KEY, value: project.key }, { key: JOB_KEY, value: id }, { key: STATUS_KEY, value: 'running' }] }
        : {}),
      ...(input.jobTimeoutSeconds ? { workflowExecutionTimeout: `${input.jobTimeoutSeconds}s` } : {}),
    };
  }
}
