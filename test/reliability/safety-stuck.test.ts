// A batch that cannot end by itself (issue 17, item 3): its workflow task fails on every attempt,
// so it never sees a cancel request. `cancel all` and a new `run` still end it, terminating it
// with the reason as the last resort.
import { WorkflowHandleWithFirstExecutionRunId as WorkflowHandle } from '@temporalio/client';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { batchWorkflowId, jobWorkflowId } from '../../core/ids';
import { formatStatusFile } from '../../core/status';
import { loadProject, runSettings } from '../../client/project';
import { sealedFor, startWorkers, waitFor } from '../support/harness';
import { makeProject, simpleJob } from '../support/project';
import { runCli } from '../support/processes';
import { passingReplies } from '../support/replies';
import { readStatuses, useServers } from '../support/servers';

const t = useServers();

/** A batch whose every workflow task fails (its input has no settings), with workers running. */
async function stuckBatch(root: string): Promise<WorkflowHandle> {
  const project = await loadProject(root);
  // Sealed with the project's key, as `run` starts a batch (and the CLI's commands expect).
  const handle = await (await sealedFor(t.h, root)).client.workflow.start('batchWorkflow', {
    workflowId: batchWorkflowId(project.ref.key),
    taskQueue: project.queues.project,
    args: [{ project: project.ref, queues: project.queues, selection: { resume: false, rerun: false } }],
  });
  await waitFor(async () => ((await handle.describe()).raw.pendingWorkflowTask?.attempt ?? 0) >= 3, 60_000, 'the batch task to fail 3 times');
  return handle;
}

test('cancel all ends a stuck batch: it is terminated with the reason', async () => {
  const root = makeProject({ ollamaUrl: t.ollama.url, jobs: { a: simpleJob('a') } });
  const w = await startWorkers(t.h, root, { sealed: true });
  try {
    const handle = await stuckBatch(root);
    const r = await runCli(['--path', root, 'cancel', 'all', '--wait', '2'], { TEMPORAL_ADDRESS: t.h.address });
    expect(r.output).toMatch(/was stuck \(it did not take the cancel request within 2s\): terminated it/);
    expect(r.code).toBe(0);
    const d = await handle.describe();
    expect(d.status.name).toBe('TERMINATED');
  } finally {
    await w.stop();
  }
}, 120_000);

test('run does not attach to a stuck batch forever: it terminates it and runs the jobs in a new one', async () => {
  const root = makeProject({ ollamaUrl: t.ollama.url, jobs: { a: simpleJob('a') } });
  t.ollama.respond = passingReplies();
  const w = await startWorkers(t.h, root, { sealed: true });
  let first: WorkflowHandle;
  try {
    first = await stuckBatch(root);
  } finally {
    await w.stop();
  }
  const r = await runCli(['--path', root, 'run', '--no-health-check'], { TEMPORAL_ADDRESS: t.h.address });
  expect(r.output).toMatch(/the running batch .* was stuck .*terminated it; starting a new one/);
  expect(r.code).toBe(0);
  expect((await t.h.client.workflow.getHandle(first.workflowId, first.firstExecutionRunId).describe()).status.name).toBe('TERMINATED');
  expect(readStatuses(root).a.status).toBe('pass');
}, 120_000);

/** A running batch whose one job's every workflow task fails (its settings have no llm); the job's
 * status file entry says pending_work, as a job that had started would. */
async function batchWithStuckJob(root: string): Promise<{ batch: WorkflowHandle; job: ReturnType<typeof t.h.client.workflow.getHandle> }> {
  const at = new Date().toISOString();
  writeFileSync(path.join(root, 'jobs', '_jobstatus.json'), formatStatusFile([{ id: 'a', status: 'pending_work', created_at: at, updated_at: at, ran: true }]));
  const project = await loadProject(root);
  const batch = await (await sealedFor(t.h, root)).client.workflow.start('batchWorkflow', {
    workflowId: batchWorkflowId(project.ref.key),
    taskQueue: project.queues.project,
    args: [{ project: project.ref, queues: project.queues, settings: { ...runSettings(project.config), llm: undefined }, selection: { resume: true, rerun: false } }],
  });
  const job = t.h.client.workflow.getHandle(jobWorkflowId(project.ref.key, 'a'));
  await waitFor(async () => ((await job.describe().catch(() => undefined))?.raw.pendingWorkflowTask?.attempt ?? 0) >= 3, 60_000, 'the job task to fail 3 times');
  return { batch, job };
}

test('cancel all ends a batch whose job is stuck: both are terminated, the job goes back to created', async () => {
  const root = makeProject({ ollamaUrl: t.ollama.url, jobs: { a: simpleJob('a') } });
  const w = await startWorkers(t.h, root, { sealed: true });
  try {
    const { batch, job } = await batchWithStuckJob(root);
    const r = await runCli(['--path', root, 'cancel', 'all', '--wait', '3'], { TEMPORAL_ADDRESS: t.h.address });
    expect(r.output).toMatch(/was stuck \(it did not stop within 3s of cancelling its jobs\): terminated it and its 1 running job\. Back to created: a\./);
    expect(r.code).toBe(0);
    expect((await batch.describe()).status.name).toBe('TERMINATED');
    expect((await job.describe()).status.name).toBe('TERMINATED');
    expect(readStatuses(root).a).toMatchObject({ status: 'created', ran: false, error: expect.stringMatching(/^cancelled: the batch was terminated/) });
  } finally {
    await w.stop();
  }
}, 120_000);

test('run ends a stuck job of the running batch with the reason; the batch then finishes', async () => {
  const root = makeProject({ ollamaUrl: t.ollama.url, jobs: { a: simpleJob('a') } });
  const w = await startWorkers(t.h, root, { sealed: true });
  let stuck: Awaited<ReturnType<typeof batchWithStuckJob>>;
  try {
    stuck = await batchWithStuckJob(root);
  } finally {
    await w.stop();
  }
  const r = await runCli(['--path', root, 'run', '--no-health-check'], { TEMPORAL_ADDRESS: t.h.address });
  expect(r.output).toMatch(/1 job workflow of the running batch was stuck \(workflow task failing; see the Web UI\) and terminated: worksplit\/.*\/job\/a/);
  expect(r.code).toBe(1);
  expect((await stuck.job.describe()).status.name).toBe('TERMINATED');
  expect((await stuck.batch.describe()).status.name).toBe('COMPLETED');
  expect(readStatuses(root).a).toMatchObject({ status: 'fail', error: expect.stringMatching(/terminated/) });
}, 120_000);
