// Finding the project's running batch, for the commands that talk to it (status, cancel, pause,
// resume, concurrency, ui). Never starts a server: no server means no running batch.
import type { Client, WorkflowHandle } from '@temporalio/client';
import { batchWorkflowId } from '../core/ids';
import type { BatchProgress } from '../workflows/types';
import { TemporalTarget, connectClient, resolveTarget } from './connection';
import type { Project } from './project';

export interface LiveBatch {
  client: Client;
  target: TemporalTarget;
  handle: WorkflowHandle;
  progress: BatchProgress;
  close(): Promise<void>;
}

export async function findRunningBatch(project: Project): Promise<LiveBatch | undefined> {
  const target = await resolveTarget(project, { start: false });
  if (!target) return undefined;
  let client: Client;
  try {
    client = await connectClient(target);
  } catch {
    return undefined;
  }
  const close = () => client.connection.close();
  const handle = client.workflow.getHandle(batchWorkflowId(project.ref.key));
  try {
    const d = await handle.describe();
    if (d.status.name !== 'RUNNING') {
      await close();
      return undefined;
    }
    const progress = await handle.query<BatchProgress>('progress');
    return { client, target, handle, progress, close };
  } catch {
    await close();
    return undefined;
  }
}
