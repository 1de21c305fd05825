// What must hold after a worksplit batch on a real model, whatever the model answered: checked
// against what the recording proxy saw pass between worksplit and Ollama, not against
// worksplit's own account of it.
import { appendFileSync, readFileSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { STATUSES, StatusEntry } from '../../core/status';
import type { RecordedCall } from '../support/real-ollama';
import type { BatchResult } from '../../workflows/types';

/** Every file of the project outside jobs/ and .worksplit/, by relative path. */
export function snapshot(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    for (const name of readdirSync(path.join(root, rel))) {
      const r = rel ? `${rel}/${name}` : name;
      if (r === 'jobs' || r === '.worksplit') continue;
      if (statSync(path.join(root, r)).isDirectory()) walk(r);
      else out.set(r, readFileSync(path.join(root, r), 'utf8'));
    }
  };
  walk('');
  return out;
}

/** Job ids and their instructions (the body under the front matter, as the prompt shows it). */
export function jobBodies(root: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of readdirSync(path.join(root, 'jobs')).sort()) {
    if (!name.endsWith('.md') || name.startsWith('_')) continue;
    const text = readFileSync(path.join(root, 'jobs', name), 'utf8');
    const m = /^---\n[\s\S]*?\n---\n([\s\S]*)$/.exec(text);
    if (!m) throw new Error(`jobs/${name} has no front matter`);
    out.set(name.slice(0, -3), m[1].trim());
  }
  return out;
}

export interface ChatCall extends RecordedCall {
  job: string;
  user: string;
}

function userMessage(call: RecordedCall): string {
  const req = call.request as { messages?: { role: string; content: string }[] };
  return req.messages?.find((m) => m.role === 'user')?.content ?? '';
}

/** The model calls among `calls`, each with the one job whose instructions its prompt holds
 * (worksplit puts them under [INSTRUCTIONS] in every prompt of a job). */
export function chatCallsByJob(calls: RecordedCall[], bodies: Map<string, string>): ChatCall[] {
  return calls
    .filter((c) => c.path === '/api/chat')
    .map((c) => {
      const user = userMessage(c);
      const jobs = [...bodies].filter(([, body]) => user.includes(`[INSTRUCTIONS]\n${body}`)).map(([id]) => id);
      if (jobs.length !== 1) throw new Error(`a model call's prompt holds the instructions of ${jobs.length} jobs (${jobs.join(', ')}):\n${user.slice(0, 2000)}`);
      return { ...c, job: jobs[0], user };
    });
}

/** A call whose answer worksplit could use: it ended normally (done, done_reason "stop"). */
export function answered(c: RecordedCall): boolean {
  return c.done && !c.aborted && c.doneReason === 'stop';
}

/** jobs/_jobstatus.json is a valid status file for exactly these jobs with no job left pending;
 * returns its entries by id. */
export function checkStatusFile(root: string, ids: string[]): Map<string, StatusEntry> {
  const entries = JSON.parse(readFileSync(path.join(root, 'jobs', '_jobstatus.json'), 'utf8')) as StatusEntry[];
  expect(Array.isArray(entries)).toBe(true);
  expect(entries.map((e) => e.id)).toEqual([...ids].sort());
  for (const e of entries) {
    expect(STATUSES).toContain(e.status);
    expect(e.status).not.toMatch(/^pending_/);
    expect(typeof e.created_at).toBe('string');
    expect(typeof e.updated_at).toBe('string');
    expect(Number.isNaN(Date.parse(e.updated_at))).toBe(false);
  }
  return new Map(entries.map((e) => [e.id, e]));
}

const lines = (s: string) => s.replace(/\r\n?/g, '\n').replace(/\n$/, '').split('\n');

/** `part` appears as consecutive whole lines of `whole`. */
function consecutiveLines(part: string[], whole: string[]): boolean {
  for (let i = 0; i + part.length <= whole.length; i++) {
    if (part.every((l, k) => whole[i + k] === l)) return true;
  }
  return false;
}

export interface CheckedBatch {
  calls: ChatCall[];
  statuses: Map<string, StatusEntry>;
  /** Files the batch wrote or changed. */
  changed: string[];
}

/**
 * Everything that must hold after a batch on a real model:
 * - every job ended passed, failed or skipped; a failed or skipped one with a one-line reason;
 * - the status file is valid, names every job, leaves none pending_*, and agrees with the result;
 * - every model call carries a num_predict bound and Ollama's answer kept within it;
 * - each job's token counts are the sums of Ollama's own prompt_eval_count and eval_count over
 *   all of that job's calls (also those whose answer was refused), and so are the batch's; a call
 *   cut short (done_reason "length") failed its job;
 * - every file the batch wrote or changed is one a job recorded, and its content came whole from
 *   one complete answer of that job (consecutive lines of it); for edit and replace_pattern jobs,
 *   every line is from the file before or from a complete answer of the job.
 */
export function checkBatch(o: {
  root: string;
  result: BatchResult;
  calls: RecordedCall[];
  before: Map<string, string>;
  editJobs?: string[];
  /** The jobs the run picks (default: all); with `statusBefore`, the others' entries must be
   * left as they were. */
  selected?: string[];
  statusBefore?: Map<string, StatusEntry>;
}): CheckedBatch {
  const bodies = jobBodies(o.root);
  const all = [...bodies.keys()];
  const ids = o.selected ?? all;
  expect(Object.keys(o.result.jobs).sort()).toEqual([...ids].sort());
  for (const id of ids) {
    const j = o.result.jobs[id];
    expect({ id, state: j.state }).toEqual({ id, state: expect.stringMatching(/^(passed|failed|skipped)$/) });
    if (j.state !== 'passed') {
      expect({ id, reason: j.reason }).toEqual({ id, reason: expect.stringMatching(/\S/) });
      expect({ id, reason: j.reason }).toEqual({ id, reason: expect.not.stringMatching(/[\r\n]/) });
    }
  }

  const statuses = checkStatusFile(o.root, all);
  for (const id of all.filter((j) => !ids.includes(j))) {
    if (o.statusBefore) expect({ id, entry: statuses.get(id) }).toEqual({ id, entry: o.statusBefore.get(id) });
  }
  for (const id of ids) {
    const e = statuses.get(id)!;
    const state = o.result.jobs[id].state;
    const expected = state === 'passed' ? ['pass'] : state === 'failed' ? ['fail', 'partial'] : ['created'];
    expect({ id, state, status: e.status, agrees: expected.includes(e.status) }).toEqual({ id, state, status: e.status, agrees: true });
    if (state !== 'passed') expect({ id, error: e.error }).toEqual({ id, error: expect.stringMatching(/\S/) });
  }

  const calls = chatCallsByJob(o.calls, bodies);
  for (const c of calls) expect({ call: 'a model call', job: c.job, selected: ids.includes(c.job) }).toEqual({ call: 'a model call', job: c.job, selected: true });
  if (process.env.REAL_MODEL_TRACE) {
    const rows = calls.map((c) => `${c.job}\t${((c.endedAt ?? 0) - c.startedAt) / 1000}s\tprompt ${c.promptEvalCount}\tout ${c.evalCount}\t${c.doneReason}\t${JSON.stringify(c.answer.slice(0, 300))}`);
    const jobs = ids.map((id) => `${id}\t${o.result.jobs[id].state}\t${o.result.jobs[id].reason ?? ''}`);
    appendFileSync(process.env.REAL_MODEL_TRACE, `${[...jobs, ...rows].join('\n')}\n\n`);
  }
  let prompt = 0;
  let output = 0;
  let count = 0;
  for (const id of ids) {
    const mine = calls.filter((c) => c.job === id);
    // Every call Ollama finished counts, the ones whose answer worksplit refused too (cut at
    // num_predict): the job spent those tokens.
    const used = mine.filter((c) => c.done);
    const tokens = o.result.jobs[id].tokens ?? { calls: 0, promptTokens: 0, outputTokens: 0 };
    const ollama = {
      calls: used.length,
      promptTokens: used.reduce((n, c) => n + (c.promptEvalCount ?? 0), 0),
      outputTokens: used.reduce((n, c) => n + (c.evalCount ?? 0), 0),
    };
    expect({ id, calls: tokens.calls, promptTokens: tokens.promptTokens, outputTokens: tokens.outputTokens }).toEqual({ id, ...ollama });
    prompt += ollama.promptTokens;
    output += ollama.outputTokens;
    count += ollama.calls;
    // Every answer is bounded by worksplit (num_predict), and Ollama kept to the bound.
    for (const c of mine) {
      const numPredict = (c.request as { options?: { num_predict?: unknown } }).options?.num_predict;
      expect({ id, numPredict: typeof numPredict === 'number' && numPredict > 0 }).toEqual({ id, numPredict: true });
      expect({ id, withinBound: (c.evalCount ?? 0) <= (numPredict as number) }).toEqual({ id, withinBound: true });
    }
    // Every call ended one way or the other: a whole answer, or one cut at a length limit (which
    // fails the job); none was abandoned half-way (no stall on a healthy server).
    for (const c of mine) expect({ id, done: c.done, aborted: c.aborted }).toEqual({ id, done: true, aborted: false });
    if (mine.some((c) => c.doneReason === 'length')) {
      expect({ id, state: o.result.jobs[id].state }).toEqual({ id, state: 'failed' });
    }
    if (o.result.jobs[id].state === 'skipped') expect({ id, calls: mine.length }).toEqual({ id, calls: 0 });
  }
  expect({ calls: o.result.tokens.calls, promptTokens: o.result.tokens.promptTokens, outputTokens: o.result.tokens.outputTokens }).toEqual({ calls: count, promptTokens: prompt, outputTokens: output });

  const after = snapshot(o.root);
  const changed = [...after.keys()].filter((p) => o.before.get(p) !== after.get(p)).sort();
  // Nothing the batch did removed a file.
  for (const p of o.before.keys()) expect({ file: p, there: after.has(p) }).toEqual({ file: p, there: true });
  for (const file of changed) {
    const writers = all.filter((id) => (statuses.get(id)!.written_files ?? []).includes(file));
    expect({ file, writers: writers.length }).toEqual({ file, writers: 1 });
    const job = writers[0];
    const answers = calls.filter((c) => c.job === job && answered(c)).map((c) => lines(c.answer));
    const content = lines(after.get(file)!);
    if (o.editJobs?.includes(job)) {
      const allowed = new Set([...lines(o.before.get(file) ?? ''), ...answers.flat()].map((l) => l.trim()));
      const foreign = content.filter((l) => !allowed.has(l.trim()));
      expect({ file, job, foreign }).toEqual({ file, job, foreign: [] });
    } else {
      const whole = answers.some((a) => consecutiveLines(content, a));
      expect({ file, job, fromOneCompleteAnswer: whole }).toEqual({ file, job, fromOneCompleteAnswer: true });
    }
  }
  return { calls, statuses, changed };
}
