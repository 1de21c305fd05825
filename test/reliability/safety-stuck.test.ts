// A batch that cannot end by itself (issue 17, item 3): its workflow task fails on every attempt,
// so it never sees a cancel request. `cancel all` and a new `run` still end it, terminating it
// with the reason as the last resort.
import { WorkflowHandleWithFirstExecutionRunId as WorkflowHandle } from '@temporalio/client';
import { batchWorkflowId } from '../../core/ids';
import { loadProject } from '../../client/project';
import { startWorkers, waitFor } from '../support/harness';
import { makeProject, simpleJob } from '../support/project';
import { runCli } from '../support/processes';
import { passingReplies } from '../support/replies';
import { readStatuses, useServers } from '../support/servers';

const t = useServers();

/** A batch whose every workflow task fails (its input has no settings), with workers running. */
async function stuckBatch(root: string): Promise<WorkflowHandle> {
  const project = await loadProject(root);
  const handle = await t.h.client.workflow.start('batchWorkflow', {
    workflowId: batchWorkflowId(project.ref.key),
    taskQueue: project.queues.project,
    args: [{ project: project.ref, queues: project.queues, selection: { resume: false, rerun: false } }],
  });
  await waitFor(async () => ((await handle.describe()).raw.pendingWorkflowTask?.attempt ?? 0) >= 3, 60_000, 'the batch task to fail 3 times');
  return handle;
}

test('cancel all ends a stuck batch: it is terminated with the reason', async () => {
  const root = makeProject({ ollamaUrl: t.ollama.url, jobs: { a: simpleJob('a') } });
  const w = await startWorkers(t.h, root);
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
  const w = await startWorkers(t.h, root);
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
