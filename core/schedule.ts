// The batch's scheduling state: which jobs wait, run or are done, and which may start next.
// Pure and serializable, so the batch workflow can carry it across continue-as-new and the
// same rules are unit-tested without a server.
import { Deps, cmp } from './graph';

export type JobState = 'waiting' | 'running' | 'passed' | 'failed' | 'skipped' | 'cancelled';
export const FINAL_STATES: ReadonlySet<JobState> = new Set(['passed', 'failed', 'skipped', 'cancelled']);

export interface ScheduleEntry {
  state: JobState;
  /** Why a job failed, was skipped or cancelled. */
  reason?: string;
}

/** `E`: the caller's record per job (state and reason plus its own fields); the mark* functions
 * change state and reason in place and keep the rest. */
export interface ScheduleState<E extends ScheduleEntry = ScheduleEntry> {
  /** Dependencies among the jobs of this batch only (others count as met). */
  deps: Deps;
  /** Jobs that must have finished first, whatever their outcome (shared files, cycles of
   * inferred dependencies); absent in batches planned before it existed. */
  after?: Deps;
  jobs: Record<string, E>;
}

/** Largest number of jobs in flight at once, whatever max_concurrent says: well under Temporal's
 * limit of 2,000 pending child workflows per workflow. */
export const CONCURRENCY_CEILING = 500;

export function effectiveConcurrency(maxConcurrent: number): number {
  if (!Number.isFinite(maxConcurrent) || maxConcurrent <= 0) return CONCURRENCY_CEILING;
  return Math.min(Math.floor(maxConcurrent), CONCURRENCY_CEILING);
}

export function newSchedule(ids: string[], deps: Deps, after?: Deps): ScheduleState {
  const set = new Set(ids);
  const own: Deps = {};
  const ownAfter: Deps = {};
  const jobs: Record<string, ScheduleEntry> = {};
  for (const id of [...set].sort(cmp)) {
    own[id] = (deps[id] ?? []).filter((d) => set.has(d));
    if (after?.[id]?.some((d) => set.has(d))) ownAfter[id] = after[id].filter((d) => set.has(d));
    jobs[id] = { state: 'waiting' };
  }
  return after ? { deps: own, after: ownAfter, jobs } : { deps: own, jobs };
}

export function countIn(s: ScheduleState, state: JobState): number {
  let n = 0;
  for (const id in s.jobs) if (s.jobs[id].state === state) n++;
  return n;
}

/** Jobs per state, in one pass (the batch asks after every job's end). */
export function countAll(s: ScheduleState): Record<JobState, number> {
  const n: Record<JobState, number> = { waiting: 0, running: 0, passed: 0, failed: 0, skipped: 0, cancelled: 0 };
  for (const id in s.jobs) n[s.jobs[id].state]++;
  return n;
}

// The batch's job ids never change after newSchedule, but it asks for them in order after every
// job's end: sorting 5,000 ids each time made a large batch quadratic. Keyed by the jobs object,
// which the mark* functions change in place.
const sortedIdsCache = new WeakMap<Record<string, ScheduleEntry>, string[]>();

function sortedIds(s: ScheduleState): string[] {
  let ids = sortedIdsCache.get(s.jobs);
  if (!ids) sortedIdsCache.set(s.jobs, (ids = Object.keys(s.jobs).sort(cmp)));
  return ids;
}

/**
 * Jobs that may start now, in id order: waiting, every dependency passed, every `after` job
 * finished, within the window.
 * With `barriers` (execution groups), only jobs of the first unfinished group may start: the
 * original WorkSplit behaviour, kept for comparison in the benchmarks.
 */
export function nextToStart(s: ScheduleState, maxConcurrent: number, barriers?: string[][]): string[] {
  const free = effectiveConcurrency(maxConcurrent) - countIn(s, 'running');
  if (free <= 0) return [];
  const group = barriers?.find((g) => g.some((id) => s.jobs[id] && !FINAL_STATES.has(s.jobs[id].state)));
  const allowed = barriers ? new Set(group ?? []) : undefined;
  const out: string[] = [];
  for (const id of sortedIds(s)) {
    if (out.length >= free) break;
    if (s.jobs[id].state !== 'waiting') continue;
    if (allowed && !allowed.has(id)) continue;
    if (!s.deps[id].every((d) => s.jobs[d].state === 'passed')) continue;
    if (s.after?.[id]?.some((d) => !FINAL_STATES.has(s.jobs[d].state))) continue;
    out.push(id);
  }
  return out;
}

/** The new state of a job; a reason given replaces the old one, none clears it. */
function setState(s: ScheduleState, id: string, state: JobState, reason?: string): void {
  const e = s.jobs[id];
  e.state = state;
  if (reason === undefined) delete e.reason;
  else e.reason = reason;
}

/** A job joins the schedule while it runs (jobs added mid-batch), waiting, with its dependencies
 * among the batch's jobs; or a finished job waits again (its file changed). */
export function addWaiting<E extends ScheduleEntry>(s: ScheduleState<E>, id: string, entry: E, deps: string[], after?: string[]): void {
  s.jobs[id] = entry;
  s.deps[id] = deps;
  if (after && after.length > 0) (s.after ??= {})[id] = after;
  else if (s.after) delete s.after[id];
  sortedIdsCache.delete(s.jobs);
}

export function markRunning(s: ScheduleState, id: string): void {
  setState(s, id, 'running');
}

export function markPassed(s: ScheduleState, id: string): void {
  setState(s, id, 'passed');
}

/** Record a failure (or cancellation) and skip every waiting job that depends on it. Returns
 * the ids skipped. */
export function markUnsuccessful(s: ScheduleState, id: string, state: 'failed' | 'cancelled', reason: string): string[] {
  setState(s, id, state, reason);
  return markUnsuccessfulDependents(s);
}

/** Skip every waiting job that depends on one that failed, was cancelled or skipped. */
function markUnsuccessfulDependents(s: ScheduleState): string[] {
  const skipped: string[] = [];
  let changed = true;
  while (changed) {
    changed = false;
    for (const j of sortedIds(s)) {
      if (s.jobs[j].state !== 'waiting') continue;
      const bad = s.deps[j].find((d) => s.jobs[d].state === 'failed' || s.jobs[d].state === 'cancelled' || s.jobs[d].state === 'skipped');
      if (bad === undefined) continue;
      setState(s, j, 'skipped', `skipped: depends on ${bad}, which ${describeUnsuccessful(s.jobs[bad].state)}`);
      skipped.push(j);
      changed = true;
    }
  }
  return skipped;
}

/** A waiting job skipped before it ran (a job it needs, outside the batch, did not pass), and the
 * waiting jobs that need it. Returns the ids skipped. */
export function markSkipped(s: ScheduleState, id: string, reason: string): string[] {
  setState(s, id, 'skipped', reason);
  return [id, ...markUnsuccessfulDependents(s)];
}

/** Stop-on-fail: every job still waiting is skipped with the given reason. */
export function skipAllWaiting(s: ScheduleState, reason: string): string[] {
  const out: string[] = [];
  for (const id of sortedIds(s)) {
    if (s.jobs[id].state === 'waiting') {
      setState(s, id, 'skipped', reason);
      out.push(id);
    }
  }
  return out;
}

export function isFinished(s: ScheduleState): boolean {
  for (const id in s.jobs) if (!FINAL_STATES.has(s.jobs[id].state)) return false;
  return true;
}

function describeUnsuccessful(state: JobState): string {
  return state === 'failed' ? 'failed' : state === 'cancelled' ? 'was cancelled' : 'was skipped';
}
