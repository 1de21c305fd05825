// The dependency graph between jobs (SPEC §4) and its execution groups. Pure.
import { JobSpec, declaredInputs, declaredOutputs } from './job';

/** deps[id] = ids the job waits for, sorted. */
export type Deps = Record<string, string[]>;

export interface GraphProblem {
  /** Jobs the problem is about; each of them is not runnable. */
  jobIds: string[];
  field: 'depends_on' | 'output_file' | 'graph';
  message: string;
}

export interface DependencyGraph {
  deps: Deps;
  problems: GraphProblem[];
}

// Modes whose outputs are files edited in place: several such jobs may share a file and then
// run one after another in id order, instead of racing on it.
const IN_PLACE_MODES = new Set(['edit', 'replace_pattern', 'update_fixtures']);

/** `otherIds`: jobs that exist but could not be parsed; depending on them is not an error (the
 * dependent is skipped when they fail). */
export function buildDependencyGraph(jobs: JobSpec[], otherIds: string[] = []): DependencyGraph {
  const sorted = [...jobs].sort((a, b) => cmp(a.id, b.id));
  const ids = new Set([...sorted.map((j) => j.id), ...otherIds]);
  const problems: GraphProblem[] = [];
  const creators = new Map<string, string>();
  const editors = new Map<string, string[]>();
  for (const job of sorted) {
    for (const out of declaredOutputs(job)) {
      if (IN_PLACE_MODES.has(job.mode) && !job.outputFiles?.includes(out)) {
        editors.set(out, [...(editors.get(out) ?? []), job.id]);
      } else if (creators.has(out)) {
        const first = creators.get(out)!;
        problems.push({ jobIds: [first, job.id], field: 'output_file', message: `jobs ${first} and ${job.id} both write ${out}; give each file one creating job (use edit mode to change it afterwards)` });
      } else creators.set(out, job.id);
    }
  }
  const deps: Deps = {};
  for (const job of sorted) {
    const d = new Set<string>();
    for (const p of declaredInputs(job)) {
      const creator = creators.get(p);
      if (creator !== undefined && creator !== job.id) d.add(creator);
      const eds = editors.get(p) ?? [];
      const editsItToo = eds.includes(job.id);
      // An editor waits for the editors before it; a reader waits for all of them.
      for (const e of eds) if (e !== job.id && (!editsItToo || cmp(e, job.id) < 0)) d.add(e);
    }
    for (const out of declaredOutputs(job)) {
      const eds = editors.get(out) ?? [];
      if (!eds.includes(job.id)) continue;
      const creator = creators.get(out);
      if (creator !== undefined && creator !== job.id) d.add(creator);
      for (const e of eds) if (cmp(e, job.id) < 0) d.add(e);
    }
    for (const dep of job.dependsOn) {
      if (!ids.has(dep)) {
        problems.push({ jobIds: [job.id], field: 'depends_on', message: `job ${job.id} depends on ${JSON.stringify(dep)}, which is not a job in jobs/` });
      } else if (dep !== job.id) d.add(dep);
    }
    deps[job.id] = [...d].sort(cmp);
  }
  for (const cycle of findCycles(deps)) {
    problems.push({ jobIds: cycle, field: 'graph', message: `dependency cycle: ${[...cycle, cycle[0]].join(' -> ')}` });
  }
  return { deps, problems };
}

/** Every cycle (strongly connected component with more than one job, or a self-loop), each
 * listed in dependency order starting from its smallest id. */
export function findCycles(deps: Deps): string[][] {
  // Tarjan's algorithm, iterative so a long chain cannot overflow the stack.
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const nodes = Object.keys(deps).sort(cmp);
  for (const root of nodes) {
    if (idx.has(root)) continue;
    const work: Array<{ v: string; i: number }> = [{ v: root, i: 0 }];
    idx.set(root, index); low.set(root, index); index++; stack.push(root); onStack.add(root);
    while (work.length > 0) {
      const top = work[work.length - 1];
      const edges = (deps[top.v] ?? []).filter((w) => w in deps);
      if (top.i < edges.length) {
        const w = edges[top.i++];
        if (!idx.has(w)) {
          idx.set(w, index); low.set(w, index); index++; stack.push(w); onStack.add(w);
          work.push({ v: w, i: 0 });
        } else if (onStack.has(w)) low.set(top.v, Math.min(low.get(top.v)!, idx.get(w)!));
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].v;
        low.set(parent, Math.min(low.get(parent)!, low.get(top.v)!));
      }
      if (low.get(top.v) === idx.get(top.v)) {
        const comp: string[] = [];
        let w: string;
        do { w = stack.pop()!; onStack.delete(w); comp.push(w); } while (w !== top.v);
        if (comp.length > 1 || (deps[top.v] ?? []).includes(top.v)) cycles.push(orderCycle(comp, deps));
      }
    }
  }
  return cycles.sort((a, b) => cmp(a[0], b[0]));
}

function orderCycle(comp: string[], deps: Deps): string[] {
  const members = new Set(comp);
  const start = [...comp].sort(cmp)[0];
  const out = [start];
  let cur = start;
  // Walk dependency edges inside the component until we return to the start.
  for (let n = 0; n < comp.length; n++) {
    const next = (deps[cur] ?? []).find((d) => members.has(d) && !out.includes(d));
    if (next === undefined) break;
    out.push(next); cur = next;
  }
  return out;
}

/**
 * Levels of the graph restricted to `ids`: group 0 has no dependency among `ids`, group k
 * depends on something in group k-1. Dependencies outside `ids` count as met. Jobs on a cycle
 * are left out.
 */
export function executionGroups(deps: Deps, ids: string[]): string[][] {
  const set = new Set(ids);
  const level = new Map<string, number>();
  const visiting = new Set<string>();
  const levelOf = (id: string): number => {
    if (level.has(id)) return level.get(id)!;
    if (visiting.has(id)) return Infinity;
    visiting.add(id);
    let l = 0;
    for (const d of deps[id] ?? []) if (set.has(d)) l = Math.max(l, levelOf(d) + 1);
    visiting.delete(id);
    level.set(id, l);
    return l;
  };
  const groups: string[][] = [];
  for (const id of [...set].sort(cmp)) {
    const l = levelOf(id);
    if (!Number.isFinite(l)) continue;
    (groups[l] ??= []).push(id);
  }
  return groups.filter((g) => g !== undefined);
}

/** Every job that depends on `id`, directly or not, among `deps`. */
export function dependentsOf(deps: Deps, id: string): string[] {
  const rev = new Map<string, string[]>();
  for (const [j, ds] of Object.entries(deps)) for (const d of ds) rev.set(d, [...(rev.get(d) ?? []), j]);
  const out = new Set<string>();
  const todo = [id];
  while (todo.length > 0) for (const j of rev.get(todo.pop()!) ?? []) if (!out.has(j)) { out.add(j); todo.push(j); }
  return [...out].sort(cmp);
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
