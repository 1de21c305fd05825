// Splitting a job's time into its hops (bench/hops.ts): pure functions over the SDK core's debug
// log (JSON lines) and the job's history, so they can be tested on made-up input.

/** One history event: its type (without the EVENT_TYPE_ prefix) and time (ms since the epoch). */
export interface HistoryMark {
  type: string;
  t: number;
}

/** One line of core's JSON log, reduced to what the split needs. */
export interface CoreLine {
  t: number;
  message: string;
  runId?: string;
}

const RUN_ID = /run_id: ([0-9a-f-]{36})/;

/** An RFC 3339 time with microseconds (core's log) in ms since the epoch, fractions kept. */
function isoMs(ts: string): number {
  const m = /^(.*\.\d{3})(\d*)Z$/.exec(ts);
  return m ? Date.parse(`${m[1]}Z`) + (m[2] ? Number(`0.${m[2]}`) : 0) : Date.parse(ts);
}

export function parseCoreLog(text: string): CoreLine[] {
  const lines: CoreLine[] = [];
  for (const raw of text.split('\n')) {
    if (!raw.startsWith('{')) continue;
    const e = JSON.parse(raw) as { timestamp: string; fields: Record<string, string>; spans?: Array<Record<string, string>> };
    const innermost = e.spans?.length ? e.spans[e.spans.length - 1].run_id : undefined;
    const runId = e.fields.run_id ?? RUN_ID.exec(e.fields.activation ?? '')?.[1] ?? innermost;
    lines.push({ t: isoMs(e.timestamp), message: e.fields.message, runId });
  }
  return lines;
}

/** A job's time in named parts (ms). */
export type Split = Record<string, number>;

export const PARTS = [
  ['start', 'server: start the child, hand out its first workflow task'],
  ['lang', 'worker: workflow code (activations, in the workflow thread)'],
  ['local', 'worker: local activities (status file, prompts, writing)'],
  ['complete', 'server: complete a workflow task (persist its events)'],
  ['dispatch', 'server: hand an activity to the LLM worker'],
  ['activity', 'LLM activity (instant stand-in answer) and its report'],
  ['next', 'server: next workflow task after an activity'],
  ['other', 'worker: between the steps above (core, event loop)'],
] as const;

/** Split one job's run, from its start to its last workflow task's completion. */
export function splitJob(events: HistoryMark[], log: CoreLine[]): Split {
  const split: Split = Object.fromEntries(PARTS.map(([k]) => [k, 0]));
  const at = (type: string, from = 0) => events.findIndex((e, i) => i >= from && e.type === type);
  const started = events[0].t;
  const firstTask = log.find((l) => l.message === 'New WFT');
  if (!firstTask) throw new Error('no workflow task in the log for this run');
  split.start = firstTask.t - started;
  // Each part the log shows is an interval between two of core's messages for this run.
  const intervals: Array<{ part: string; opens: string; closes: string }> = [
    { part: 'lang', opens: 'Sending activation to lang', closes: 'wf bridge iteration fetch' },
    { part: 'local', opens: 'Queuing local activity', closes: 'Applying local resolution' },
    { part: 'complete', opens: 'Sending responses to server', closes: 'Marking WFT completed' },
  ];
  let open: { part: string; closes: string; t: number } | undefined;
  let completedAt = 0;
  const completions: number[] = [];
  for (const l of log) {
    const opening = intervals.find((iv) => iv.opens === l.message);
    if (opening) {
      open = { ...opening, t: l.t };
    } else if (open && open.closes === l.message) {
      split[open.part] += l.t - open.t;
      if (open.part === 'complete') completions.push((completedAt = l.t));
      open = undefined;
    }
  }
  // Between a workflow task's completion and the next one, the history has the activity. The
  // server schedules it (and may start it) before the worker hears its task completed: the
  // history's times count from that moment, so no time is counted twice.
  for (let i = at('ACTIVITY_TASK_SCHEDULED'); i >= 0; i = at('ACTIVITY_TASK_SCHEDULED', i + 1)) {
    const s = events[i].t;
    const heard = completions.find((c) => c >= s) ?? s;
    const [scheduled, st, done, next] = [s, events[at('ACTIVITY_TASK_STARTED', i)].t, events[at('ACTIVITY_TASK_COMPLETED', i)].t, events[at('WORKFLOW_TASK_STARTED', i)].t].map((t) => Math.max(t, heard));
    split.dispatch += st - scheduled;
    split.activity += done - st;
    split.next += next - done;
  }
  const total = completedAt - started;
  split.other = total - Object.values(split).reduce((a, b) => a + b, 0);
  return split;
}

