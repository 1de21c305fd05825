// Finding the project's running batch, for the commands that talk to it (status, cancel, pause,
// resume, concurrency, ui). Never starts a server: no server means no running batch.
import type { Client, WorkflowHandle } from '@temporalio/client';
import { batchWorkflowId } from '../core/ids';
import type { BatchProgress } from '../workflows/types';
import type { BatchWorkflow } from '../workflows/messages';
import { TemporalTarget, connectClient, resolveTarget } from './connection';
import type { Project } from './project';
import { UsageError } from './output';

export interface LiveBatch {
  client: Client;
  target: TemporalTarget;
  handle: WorkflowHandle<BatchWorkflow>;
  progress: BatchProgress;
  close(): Promise<void>;
}

export type RunningBatch = Omit<LiveBatch, 'progress'>;

/** The project's running batch, without asking it anything (a stuck batch answers no query). */
export async function findRunningBatchHandle(project: Project): Promise<RunningBatch | undefined> {
  const target = await resolveTarget(project, { start: false });
  if (!target) return undefined;
  let client: Client;
  try {
    client = await connectClient(target, project.ref.root);
  } catch (e) {
    // The embedded server not answering means no batch runs; a configured server not answering
    // says nothing about its batches.
    if (!target.embedded) throw new UsageError(`the Temporal server at ${target.address} does not answer (${(e as Error).message}); is TEMPORAL_ADDRESS right and the server up?`);
    return undefined;
  }
  const close = () => client.connection.close();
  const handle = client.workflow.getHandle<BatchWorkflow>(batchWorkflowId(project.ref.key));
  try {
    const d = await handle.describe();
    if (d.status.name === 'RUNNING') return { client, target, handle, close };
  } catch {
    // No such workflow.
  }
  await close();
  return undefined;
}

export async function findRunningBatch(project: Project): Promise<LiveBatch | undefined> {
  const b = await findRunningBatchHandle(project);
  if (!b) return undefined;
  try {
    // Loaded once there is a batch to ask (the definitions load @temporalio/workflow).
    const { progressQuery } = require('../workflows/messages') as typeof import('../workflows/messages');
    const progress = await b.handle.query(progressQuery);
    return { ...b, progress };
  } catch {
    await b.close();
    return undefined;
  }
}
