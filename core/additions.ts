// Job files added or changed while a batch runs, joined to it: which are taken, which wait again,
// and which are refused with the reason. Pure and deterministic (the batch workflow runs it on
// what its planning activity read), so the same rules are unit-tested without a server.
import { addWaiting, FINAL_STATES, type JobState, markUnsuccessful, type ScheduleState } from './schedule';
import { type Deps, waitsFor } from './graph';
import type { RunPlan } from './plan';

/** What the folder holds now, read by the planning activity for a running batch. */
export interface AdditionPlan {
  /** Job files not in the batch that a run would pick (status created). */
  newIds: string[];
  /** Jobs of the batch whose file changed since it planned (by fingerprint). */
  changedIds: string[];
  /** The plan of the batch's jobs and the new ones together: dependencies, problems, context. */
  plan: Pick<RunPlan, 'deps' | 'after' | 'invalid' | 'dependencyOutputs' | 'descriptions'>;
  /** Fingerprints of the new and changed jobs. */
  fingerprints: Record<string, string>;
  /** Every job id in jobs/ (the status file is synced to these). */
  allIds: string[];
}

/** The parts of the batch's carried state an addition changes. */
export interface AdditionTarget<E extends { state: JobState; reason?: string }> {
  schedule: ScheduleState<E>;
  deps: Deps;
  dependencyOutputs: Record<string, string[]>;
  descriptions?: Record<string, string>;
  fingerprints?: Record<string, string>;
}

export interface AdditionResult {
  /** New jobs now in the batch. */
  added: string[];
  /** Jobs of the batch that wait again: their file changed after they ended, or they were
   * skipped because of one that did. */
  requeued: string[];
  /** Waiting jobs whose change (dependencies, context) was taken, or that now wait for a new job
   * that writes what they read. */
  updated: string[];
  refused: Array<{ id: string; reason: string }>;
  /** Jobs of the batch that ended here (a waiting job whose file changed into one that cannot
   * run), and the jobs skipped because of them: their status is the batch's to record. */
  ended: string[];
}

const UNSUCCESSFUL: ReadonlySet<JobState> = new Set(['failed', 'cancelled', 'skipped']);

function ended(state: JobState): string {
  return state === 'failed' ? 'failed' : state === 'cancelled' ? 'was cancelled' : 'was skipped';
}

/**
 * Join `a` to the batch, changing `t` in place. `fresh` makes the record of a job that waits
 * (again). New jobs are taken in id order; a new job is refused when the folder's rules refuse it
 * (invalid file, a cycle), when it needs a job that ended without passing in this batch, or when
 * it needs a new job that was refused.
 */
export function joinBatch<E extends { state: JobState; reason?: string }>(t: AdditionTarget<E>, a: AdditionPlan, fresh: () => E): AdditionResult {
  const jobs = t.schedule.jobs;
  const result: AdditionResult = { added: [], requeued: [], updated: [], refused: [], ended: [] };
  const refusedIds = new Set<string>();
  const refuse = (id: string, reason: string) => {
    result.refused.push({ id, reason });
    refusedIds.add(id);
  };
  const take = (id: string, entry: E) => {
    const deps = a.plan.deps[id] ?? [];
    addWaiting(t.schedule, id, entry, deps, a.plan.after[id]);
    t.deps[id] = waitsFor({ [id]: deps }, { [id]: a.plan.after[id] ?? [] })[id];
    t.dependencyOutputs[id] = a.plan.dependencyOutputs[id] ?? [];
    if (a.plan.descriptions[id] !== undefined) (t.descriptions ??= {})[id] = a.plan.descriptions[id];
    if (a.fingerprints[id] !== undefined) (t.fingerprints ??= {})[id] = a.fingerprints[id];
  };
  /** Why `id` cannot join: its file's problem, or a dependency that cannot pass. */
  const blocker = (id: string): string | undefined => {
    if (a.plan.invalid[id] !== undefined) return a.plan.invalid[id];
    for (const d of a.plan.deps[id] ?? []) {
      if (refusedIds.has(d)) return `it needs ${d}, which was refused`;
      const s = jobs[d]?.state;
      if (s !== undefined && UNSUCCESSFUL.has(s)) return `it needs ${d}, which ${ended(s)} in this batch (fix ${d} first, or run again after the batch)`;
    }
    return undefined;
  };

  // Refusals first, until none follows from another (a new job may need a later one).
  const candidates = [...a.newIds].filter((id) => jobs[id] === undefined).sort();
  for (let more = true; more; ) {
    more = false;
    for (const id of candidates) {
      if (refusedIds.has(id)) continue;
      const why = blocker(id);
      if (why) {
        refuse(id, why);
        more = true;
      }
    }
  }
  for (const id of candidates) {
    if (refusedIds.has(id)) continue;
    take(id, fresh());
    result.added.push(id);
  }
  const added = new Set(result.added);
  const unfinished = (id: string) => jobs[id] !== undefined && (jobs[id].state === 'waiting' || jobs[id].state === 'running');
  // A new job that writes a file a job of the batch writes too (the plan orders such jobs) waits
  // for that job while it has not finished: the jobs that share an output never overlap, whatever
  // their ids say (the one before it may be running already).
  for (const id of result.added) {
    const coWriters = Object.keys(jobs).filter((e) => !added.has(e) && unfinished(e) && ((a.plan.after[id] ?? []).includes(e) || (a.plan.after[e] ?? []).includes(id)));
    if (coWriters.length === 0) continue;
    const after = [...new Set([...(t.schedule.after?.[id] ?? []).filter((e) => !(a.plan.after[e] ?? []).includes(id)), ...coWriters])].sort();
    addWaiting(t.schedule, id, jobs[id], t.schedule.deps[id], after);
    t.deps[id] = waitsFor({ [id]: t.schedule.deps[id] }, { [id]: after })[id];
  }
  // A waiting job that reads what a new job writes waits for it (unless that would close a loop).
  for (const w of Object.keys(jobs).sort()) {
    if (added.has(w) || jobs[w].state !== 'waiting') continue;
    const needs = (a.plan.deps[w] ?? []).filter((d) => added.has(d) && !(t.schedule.deps[w] ?? []).includes(d) && !reaches(t.schedule, d, w));
    if (needs.length === 0) continue;
    addWaiting(t.schedule, w, jobs[w], [...(t.schedule.deps[w] ?? []), ...needs].sort(), t.schedule.after?.[w]);
    t.deps[w] = waitsFor({ [w]: t.schedule.deps[w] }, { [w]: t.schedule.after?.[w] ?? [] })[w];
    if (a.plan.dependencyOutputs[w] !== undefined) t.dependencyOutputs[w] = a.plan.dependencyOutputs[w];
    result.updated.push(w);
  }
  for (const id of [...a.changedIds].sort()) {
    const s = jobs[id]?.state;
    if (s === undefined) continue;
    if (s === 'running') {
      refuse(id, `${id} is running: its change is not taken in this batch (run it again afterwards)`);
      continue;
    }
    const why = blocker(id);
    if (why && s === 'waiting') {
      // It cannot run as planned either: the job reads its file when it starts, and that file is
      // now the one refused.
      const reason = `its job file changed while it waited, and cannot run: ${why}`;
      refuse(id, reason);
      result.ended.push(id, ...markUnsuccessful(t.schedule, id, 'failed', reason));
      continue;
    }
    if (why) {
      refuse(id, why);
      continue;
    }
    if (s === 'waiting') {
      take(id, jobs[id]);
      result.updated.push(id);
    } else if (FINAL_STATES.has(s)) {
      take(id, fresh());
      result.requeued.push(id);
    }
  }
  // Jobs skipped because of a job that waits again wait again too.
  const waitsAgain = new Set(result.requeued);
  for (let changed = waitsAgain.size > 0; changed; ) {
    changed = false;
    for (const id of Object.keys(jobs).sort()) {
      if (jobs[id].state !== 'skipped' || waitsAgain.has(id)) continue;
      if (!(t.schedule.deps[id] ?? []).some((d) => waitsAgain.has(d))) continue;
      addWaiting(t.schedule, id, fresh(), t.schedule.deps[id] ?? [], t.schedule.after?.[id]);
      waitsAgain.add(id);
      result.requeued.push(id);
      changed = true;
    }
  }
  return result;
}

/** Whether `to` is reached from `from` along what jobs wait for (dependencies and order). */
function reaches(s: ScheduleState<{ state: JobState }>, from: string, to: string): boolean {
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (id === to) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(s.deps[id] ?? []), ...(s.after?.[id] ?? []));
  }
  return false;
}

/** One line for the batch's summary and the terminal. */
export function describeAddition(r: AdditionResult): string {
  const parts: string[] = [];
  if (r.added.length > 0) parts.push(`added ${r.added.join(', ')}`);
  if (r.requeued.length > 0) parts.push(`runs again ${r.requeued.join(', ')}`);
  if (r.updated.length > 0) parts.push(`updated ${r.updated.join(', ')}`);
  if (r.refused.length > 0) parts.push(`refused ${r.refused.map((x) => `${x.id} (${x.reason})`).join('; ')}`);
  return parts.length > 0 ? parts.join('; ') : 'no new or changed job files';
}
