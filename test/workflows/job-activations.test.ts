// A job's workflow activations, read from its history: the load step also records the opening
// status and prepares the first prompt, so the first model call follows it in the same workflow
// task (6 activations for a job with a verification, 7 before).
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { temporal } from '@temporalio/proto';
import { jobWorkflowId } from '../../core/ids';
import { runBatch } from '../support/harness';
import { makeProject, simpleJob } from '../support/project';
import { passingReplies } from '../support/replies';
import { readStatuses, useServers } from '../support/servers';
import { loadProject } from '../../client/project';

const t = useServers();
const EventType = temporal.api.enums.v1.EventType;

async function historyOf(root: string, id: string) {
  const project = await loadProject(root);
  const history = await t.h.client.workflow.getHandle(jobWorkflowId(project.ref.key, id)).fetchHistory();
  const events = history.events ?? [];
  const localActivities = events
    .filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity')
    .map((e) => {
      const data = e.markerRecordedEventAttributes!.details!.data!.payloads![0].data!;
      return (JSON.parse(Buffer.from(data).toString('utf8')) as { activity_type: string }).activity_type;
    });
  const workflowTasks = events.filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED).length;
  const scheduled = events.filter((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED).map((e) => e.activityTaskScheduledEventAttributes!.activityType!.name);
  return { localActivities, workflowTasks, scheduled };
}

test('a job with a verification: load step, generation, step, verification, final step: 6 activations', async () => {
  t.ollama.respond = passingReplies();
  const root = makeProject({ ollamaUrl: t.ollama.url, jobs: { a: simpleJob('a'), b: simpleJob('b', { context_files: ['out/a.txt'], depends_on: ['a'] }) } });
  const r = await runBatch(t.h, root);
  expect(r.totals.passed).toBe(2);
  const h = await historyOf(root, 'b');
  expect(h.localActivities).toEqual(['jobStart', 'jobStep', 'jobStep']);
  expect(h.scheduled).toEqual(['llmChat', 'llmChat']);
  expect(h.workflowTasks + h.localActivities.length).toBe(6);
  // What the job wrote and recorded is what the earlier path wrote: the output, a pass, and the
  // prompt of the first call prepared ahead still shows its context file.
  expect(readFileSync(path.join(root, 'out', 'b.txt'), 'utf8')).toContain('b');
  expect(readStatuses(root).b).toMatchObject({ status: 'pass', ran: true, written_files: ['out/b.txt'] });
  const first = t.ollama.calls().filter((c) => c.user.includes('JOB b'))[0];
  expect(first.user).toContain('out/a.txt');
});
