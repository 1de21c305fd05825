// bench/hops.ts splits a job's time from the SDK core's debug log and the job's history: the split
// must put each interval in its part and lose none.
import { type CoreLine, type HistoryMark, parseCoreLog, splitJob } from '../../bench/hop-split';

const RUN = '01a21ddf-50cf-7a76-86aa-38c303e4b47b';
const OTHER = '01a21ddf-4de3-7eeb-a354-1be1441ea73a';

/** A core log line of the run under test. */
const at = (t: number, message: string): CoreLine => ({ t, message, runId: RUN });

function line(t: string, message: string, extra: { fields?: Record<string, string>; spans?: Array<Record<string, string>> } = {}): string {
  return JSON.stringify({ timestamp: t, level: 'DEBUG', fields: { message, ...extra.fields }, ...(extra.spans ? { spans: extra.spans } : {}) });
}

test('core log lines keep microseconds and find their run in the fields, the activation or the innermost span', () => {
  const text = [
    line('2026-11-27T16:38:24.214791Z', 'New WFT', { fields: { run_id: RUN } }),
    line('2026-11-27T16:38:24.215000Z', 'Sending activation to lang', { fields: { activation: `WorkflowActivation(run_id: ${RUN}, is_replaying: false, jobs: InitializeWorkflow)` } }),
    line('2026-11-27T16:38:24.216500Z', 'Marking WFT completed', { spans: [{ name: 'outer', run_id: OTHER }, { name: 'complete_workflow_activation', run_id: RUN }] }),
    'not json: a line the SDK printed itself',
    line('2026-11-27T16:38:24.217Z', 'Initializing worker'),
  ].join('\n');
  const lines = parseCoreLog(text);
  expect(lines.map((l) => [l.message, l.runId])).toEqual([
    ['New WFT', RUN],
    ['Sending activation to lang', RUN],
    ['Marking WFT completed', RUN],
    ['Initializing worker', undefined],
  ]);
  expect(lines[1].t - lines[0].t).toBeCloseTo(0.209, 3);
  expect(lines[3].t - lines[2].t).toBeCloseTo(0.5, 3);
});

test('a job splits into the server, the worker and the activity parts, and the parts add up to its time', () => {
  const events: HistoryMark[] = [
    { type: 'WORKFLOW_EXECUTION_STARTED', t: 1000 },
    { type: 'WORKFLOW_TASK_SCHEDULED', t: 1002 },
    { type: 'WORKFLOW_TASK_STARTED', t: 1004 },
    { type: 'WORKFLOW_TASK_COMPLETED', t: 1016 },
    { type: 'ACTIVITY_TASK_SCHEDULED', t: 1016 },
    { type: 'ACTIVITY_TASK_STARTED', t: 1017 },
    { type: 'ACTIVITY_TASK_COMPLETED', t: 1020 },
    { type: 'WORKFLOW_TASK_SCHEDULED', t: 1020 },
    { type: 'WORKFLOW_TASK_STARTED', t: 1021 },
    { type: 'WORKFLOW_TASK_COMPLETED', t: 1025.4 },
    { type: 'WORKFLOW_EXECUTION_COMPLETED', t: 1025.4 },
  ];
  const log = [
    at(1005, 'New WFT'),
    at(1005.1, 'Sending activation to lang'),
    at(1008, 'wf bridge iteration fetch'),
    at(1008.1, 'Queuing local activity'),
    at(1012, 'Applying local resolution'),
    at(1012.1, 'Sending activation to lang'),
    at(1014, 'wf bridge iteration fetch'),
    at(1014.1, 'Sending responses to server'),
    at(1016, 'Marking WFT completed'),
    at(1021.2, 'New WFT'),
    at(1021.3, 'Sending activation to lang'),
    at(1023.3, 'wf bridge iteration fetch'),
    at(1023.4, 'Sending responses to server'),
    at(1025.4, 'Marking WFT completed'),
    // The eviction after the end is not part of the job's time.
    at(1025.5, 'Sending activation to lang'),
  ];
  const split = splitJob(events, log);
  expect(split.start).toBeCloseTo(5, 6);
  expect(split.lang).toBeCloseTo(2.9 + 1.9 + 2, 6);
  expect(split.local).toBeCloseTo(3.9, 6);
  expect(split.complete).toBeCloseTo(1.9 + 2, 6);
  expect(split.dispatch).toBeCloseTo(1, 6);
  expect(split.activity).toBeCloseTo(3, 6);
  expect(split.next).toBeCloseTo(1, 6);
  expect(split.other).toBeCloseTo(0.8, 6);
  expect(Object.values(split).reduce((a, b) => a + b, 0)).toBeCloseTo(25.4, 6);
});

test('a run with no workflow task in the log is refused, not split into zeros', () => {
  expect(() => splitJob([{ type: 'WORKFLOW_EXECUTION_STARTED', t: 0 }], [])).toThrow(/no workflow task/);
});

test('an activity the server scheduled and started before the worker heard its task completed is not counted twice', () => {
  const events: HistoryMark[] = [
    { type: 'WORKFLOW_EXECUTION_STARTED', t: 0 },
    { type: 'WORKFLOW_TASK_STARTED', t: 1 },
    { type: 'ACTIVITY_TASK_SCHEDULED', t: 9 },
    { type: 'ACTIVITY_TASK_STARTED', t: 10 },
    { type: 'ACTIVITY_TASK_COMPLETED', t: 14 },
    { type: 'WORKFLOW_TASK_STARTED', t: 15 },
  ];
  const log = [at(2, 'New WFT'), at(3, 'Sending activation to lang'), at(5, 'wf bridge iteration fetch'), at(6, 'Sending responses to server'), at(12, 'Marking WFT completed'), at(16, 'New WFT'), at(17, 'Sending responses to server'), at(18, 'Marking WFT completed')];
  const split = splitJob(events, log);
  expect(split.complete).toBe(6 + 1);
  // Scheduled at 9 and started at 10, but the worker heard of it at 12: the activity counts from 12.
  expect(split.dispatch).toBe(0);
  expect(split.activity).toBe(2);
  expect(split.next).toBe(1);
  expect(split.other).toBeGreaterThanOrEqual(0);
  expect(Object.values(split).reduce((a, b) => a + b, 0)).toBe(18);
});
