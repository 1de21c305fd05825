// A batch that cannot end by itself: its workflow task, or a job's, fails on every attempt (a
// bug, a payload the server refuses), so it never sees a cancel request and a new run would
// attach to it forever. Such workflows are terminated, with the reason, as the last resort.
import type { Client, WorkflowHandle } from '@temporalio/client';
import { statusStoreFor } from '../project/status-store';
import { jobWorkflowId } from '../core/ids';
import { STUCK_STATUSES, applyUpdate } from '../core/status';
import type { ProjectRef } from '../workflows/types';
import type { BatchWorkflow } from '../workflows/messages';

/** A workflow task failing this many times in a row will not get better by waiting. */
export const STUCK_TASK_ATTEMPTS = 3;

export interface StuckWorkflows {
  /** The batch's own workflow task keeps failing. */
  batch: boolean;
  /** Job workflows of the batch whose workflow task keeps failing. */
  jobs: string[];
  /** Every job workflow the batch is running. */
  running: string[];
}

export async function findStuck(client: Client, batch: WorkflowHandle<BatchWorkflow>): Promise<StuckWorkflows> {
  const d = await batch.describe();
  const running = (d.raw.pendingChildren ?? []).map((c) => c.workflowId ?? '').filter((id) => id !== '');
  const jobs: string[] = [];
  for (const id of running) {
    const c = await client.workflow.getHandle(id).describe().catch(() => undefined);
    if (c?.status.name === 'RUNNING' && (c.raw.pendingWorkflowTask?.attempt ?? 0) >= STUCK_TASK_ATTEMPTS) jobs.push(id);
  }
  return { batch: (d.raw.pendingWorkflowTask?.attempt ?? 0) >= STUCK_TASK_ATTEMPTS, jobs, running };
}

/** Terminate these workflows; ones that ended meanwhile are fine. */
export async function terminateAll(client: Client, workflowIds: string[], reason: string): Promise<void> {
  for (const id of workflowIds) {
    await client.workflow.getHandle(id).terminate(reason).catch((e: Error) => {
      if (e.name !== 'WorkflowNotFoundError') throw e;
    });
  }
}

/** The batch and every job it runs (a stuck job never sees the cancel request the batch's end
 * sends it). The batch first, so that it records nothing more about them. */
export async function terminateBatch(client: Client, batch: WorkflowHandle<BatchWorkflow>, reason: string): Promise<string[]> {
  const { running } = await findStuck(client, batch);
  await terminateAll(client, [batch.workflowId, ...running], reason);
  return running;
}

/** A terminated batch records nothing more: its jobs that were in progress go back to created,
 * with the reason, so the next run takes them up again (as a cancelled job does). */
export async function releaseJobs(project: ProjectRef, jobWorkflowIds: string[], reason: string): Promise<string[]> {
  const prefix = jobWorkflowId(project.key, '');
  const ids = new Set(jobWorkflowIds.filter((w) => w.startsWith(prefix)).map((w) => w.slice(prefix.length)));
  const released: string[] = [];
  await statusStoreFor(project.root).change((entries) => {
    const now = new Date().toISOString();
    let out = entries;
    for (const e of entries) {
      if (!ids.has(e.id) || !STUCK_STATUSES.has(e.status) || e.status === 'partial') continue;
      out = applyUpdate(out, { id: e.id, status: 'created', error: reason, ran: false }, now);
      released.push(e.id);
    }
    return out;
  });
  return released;
}

/** `p`, or `undefined` when it takes longer than `ms` (or fails). */
export async function within<T>(p: Promise<T>, ms: number): Promise<{ value: T } | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  try {
    return await Promise.race([p.then((value) => ({ value }), () => undefined), late]);
  } finally {
    clearTimeout(timer);
  }
}
