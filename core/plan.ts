// What a run will do: which jobs, in which dependency order, and which cannot run and why.
// Pure; used by the planning activity and by `run --dry-run` alike so both agree.
import { Deps, buildDependencyGraph, executionGroups, waitsFor } from './graph';
import { JobProblem, JobSpec, declaredOutputs, formatProblem } from './job';
import { SelectOptions, StatusEntry, selectJobs } from './status';

export interface RunPlan {
  /** Jobs this run covers, sorted, including the ones that cannot run. */
  selected: string[];
  /** Dependencies among selected jobs only: each must pass first. */
  deps: Deps;
  /** Jobs among the selected that must only have finished first (see DependencyGraph.after). */
  after: Deps;
  /** Warnings about the selected jobs' dependencies (shared files, cycles of inferred ones). */
  graphWarnings: string[];
  /** Selected jobs that cannot run, with the reason (invalid file, cycle, unknown dependency). */
  invalid: Record<string, string>;
  /** Execution groups of the runnable selected jobs, for display. */
  groups: string[][];
  /** Per runnable job: outputs of its own dependencies, in dependency order (implicit context). */
  dependencyOutputs: Record<string, string[]>;
  /** Stuck jobs left out because --resume was not given. */
  stuckNotResumed: string[];
  /** Per runnable job, what it does in a few words (mode and outputs), for the Web UI. */
  descriptions: Record<string, string>;
  /** Selected jobs that need a job outside the run whose last run did not pass (status fail or
   * partial): skipped with the reason, as they would be had it failed in this batch. Absent in
   * plans made before. */
  blocked?: Record<string, string>;
}

export interface PlanInput {
  ids: string[];
  jobs: JobSpec[];
  problems: Record<string, JobProblem[]>;
  entries: StatusEntry[];
  selection: SelectOptions;
}

export function planRun(input: PlanInput): RunPlan {
  const { selected, stuck } = selectJobs(input.entries, input.selection);
  const graph = buildDependencyGraph(input.jobs, Object.keys(input.problems));
  const invalid: Record<string, string> = {};
  for (const [id, ps] of Object.entries(input.problems)) invalid[id] = ps.map(formatProblem).join('; ');
  for (const p of graph.problems) {
    for (const id of p.jobIds) invalid[id] = invalid[id] ? `${invalid[id]}; ${p.message}` : p.message;
  }
  const sel = new Set(selected);
  const deps: Deps = {};
  const after: Deps = {};
  for (const id of selected) {
    deps[id] = (graph.deps[id] ?? []).filter((d) => sel.has(d));
    after[id] = (graph.after[id] ?? []).filter((d) => sel.has(d));
  }
  const runnable = selected.filter((id) => invalid[id] === undefined);
  const byId = new Map(input.jobs.map((j) => [j.id, j]));
  const dependencyOutputs = outputsOfDependencies(graph.deps, input.jobs, runnable);
  const descriptions: Record<string, string> = {};
  for (const id of runnable) descriptions[id] = describeJob(byId.get(id)!);
  const selInvalid: Record<string, string> = {};
  for (const id of selected) if (invalid[id] !== undefined) selInvalid[id] = invalid[id];
  // A job that needs one outside the run whose last run failed would run on what that one left
  // (run --rerun after a failure): skipped, as in the batch where it failed.
  const statusOf = new Map(input.entries.map((e) => [e.id, e.status]));
  const blocked: Record<string, string> = {};
  for (const id of runnable) {
    const bad = (graph.deps[id] ?? []).find((d) => !sel.has(d) && (statusOf.get(d) === 'fail' || statusOf.get(d) === 'partial'));
    if (bad !== undefined) blocked[id] = `skipped: depends on ${bad}, whose last run did not pass (status ${statusOf.get(bad)}; retry it with: worksplit retry ${bad})`;
  }
  return {
    selected,
    deps,
    after,
    graphWarnings: graph.warnings.filter((w) => w.jobIds.some((id) => sel.has(id))).map((w) => w.message),
    invalid: selInvalid,
    groups: executionGroups(waitsFor(deps, after), runnable),
    dependencyOutputs,
    stuckNotResumed: input.selection.resume || input.selection.only || input.selection.ids ? [] : stuck,
    descriptions,
    ...(Object.keys(blocked).length > 0 ? { blocked } : {}),
  };
}

/** Jobs that can run but will be skipped: each needs (must-pass, directly or through others) a job
 * that cannot run. Per such job, the first job it needs that cannot run. For display (`deps`,
 * `run --dry-run`): the batch skips them when the job they need fails. */
export function blockedByInvalid(deps: Deps, cannotRun: Iterable<string>, ids: string[]): Record<string, string> {
  // The first job that cannot run on each job's must-pass dependencies, walked once per job.
  const root = new Map<string, string | null>([...cannotRun].map((id) => [id, id]));
  const rootOf = (id: string, path = new Set<string>()): string | null => {
    const known = root.get(id);
    if (known !== undefined) return known;
    if (path.has(id)) return null; // a cycle is reported as such elsewhere
    path.add(id);
    let found: string | null = null;
    for (const d of deps[id] ?? []) {
      found = rootOf(d, path);
      if (found !== null) break;
    }
    path.delete(id);
    root.set(id, found);
    return found;
  };
  const blocked: Record<string, string> = {};
  for (const id of ids) {
    const r = rootOf(id);
    if (r !== null && r !== id) blocked[id] = r;
  }
  return blocked;
}

/** Per job: the outputs of its own dependencies, in dependency order (its implicit context, and
 * the files it may name before they exist). */
export function outputsOfDependencies(deps: Deps, jobs: JobSpec[], ids: string[]): Record<string, string[]> {
  const byId = new Map(jobs.map((j) => [j.id, j]));
  const out: Record<string, string[]> = {};
  for (const id of ids) out[id] = (deps[id] ?? []).flatMap((d) => (byId.has(d) ? declaredOutputs(byId.get(d)!) : []));
  return out;
}

/** "edit src/x.ts", "replace (tdd) src/a.ts, src/a.test.ts", "sequential src/a.ts, src/b.ts". */
export function describeJob(job: JobSpec): string {
  const kind = job.sequential ? 'sequential' : job.mode;
  const outs = declaredOutputs(job);
  const shown = outs.length > 4 ? `${outs.slice(0, 4).join(', ')} and ${outs.length - 4} more` : outs.join(', ');
  return `${kind}${job.testFile ? ' (tdd)' : ''} ${shown}`;
}
