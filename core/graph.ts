// The dependency graph between jobs (SPEC §4) and its execution groups. Pure.
import { inferFileEdges } from './file-edges';
import type { JobSpec } from './job';

/** deps[id] = ids the job waits for, sorted. */
export type Deps = Record<string, string[]>;

export interface GraphProblem {
  /** Jobs the problem is about; each of them is not runnable. */
  jobIds: string[];
  field: 'depends_on' | 'graph';
  message: string;
}

/** An inferred dependency left out because it lies on a cycle of inferred dependencies. */
export interface DroppedEdge {
  job: string;
  dep: string;
  /** Why it was inferred: "b reads src/x.ts, written by a". */
  reason: string;
  /** Every job of the cycle it was on, sorted. */
  cycle: string[];
}

export interface GraphWarning {
  jobIds: string[];
  message: string;
}

export interface DependencyGraph {
  /** deps[id]: jobs that must pass before `id` runs (depends_on and data dependencies). */
  deps: Deps;
  /** after[id]: jobs that must have finished, whatever their outcome, before `id` runs: jobs
   * sharing an output file, and cycles of inferred dependencies run in job-id order. */
  after: Deps;
  problems: GraphProblem[];
  warnings: GraphWarning[];
  dropped: DroppedEdge[];
}

/**
 * Dependencies from `depends_on` are the user's word: a cycle among them is a problem. Those
 * inferred from files are hints (real folders have jobs sharing a file and references that form
 * cycles): where they form a cycle, that cycle's jobs run one at a time in job-id order instead,
 * with a warning naming the jobs and files (WorkSplit's fallback).
 * `otherIds`: jobs that exist but could not be parsed; depending on them is not an error (the
 * dependent is skipped when they fail).
 */
export function buildDependencyGraph(jobs: JobSpec[], otherIds: string[] = []): DependencyGraph {
  const sorted = [...jobs].sort((a, b) => cmp(a.id, b.id));
  const ids = new Set([...sorted.map((j) => j.id), ...otherIds]);
  const problems: GraphProblem[] = [];
  const explicit: Deps = {};
  for (const job of sorted) {
    const d = new Set<string>();
    for (const dep of job.dependsOn) {
      if (!ids.has(dep)) {
        problems.push({ jobIds: [job.id], field: 'depends_on', message: `job ${job.id} depends on ${JSON.stringify(dep)}, which is not a job in jobs/` });
      } else if (dep !== job.id) d.add(dep);
    }
    explicit[job.id] = [...d].sort(cmp);
  }
  for (const cycle of findCycles(explicit)) {
    problems.push({ jobIds: cycle, field: 'graph', message: `dependency cycle: ${[...cycle, cycle[0]].join(' -> ')}` });
  }

  const { edges, shared } = inferFileEdges(sorted);
  const all: Deps = {};
  for (const job of sorted) all[job.id] = [...explicit[job.id]];
  for (const e of edges) all[e.job].push(e.dep);
  const inCycle = new Map<string, string[]>();
  for (const comp of stronglyConnected(all)) for (const id of comp) inCycle.set(id, comp);

  const deps: Record<string, Set<string>> = {};
  const after: Record<string, Set<string>> = {};
  for (const job of sorted) {
    deps[job.id] = new Set(explicit[job.id]);
    after[job.id] = new Set();
  }
  const dropped: DroppedEdge[] = [];
  for (const e of edges) {
    const cycle = inCycle.get(e.job);
    if (cycle !== undefined && cycle.includes(e.dep) && !explicit[e.job].includes(e.dep)) dropped.push({ ...e, cycle });
    else (e.needsPass ? deps : after)[e.job].add(e.dep);
  }
  const warnings: GraphWarning[] = shared.map((s) => ({
    jobIds: s.jobIds,
    message: `jobs ${listWords(s.jobIds)} ${s.jobIds.length > 2 ? 'all' : 'both'} write ${s.file}; they run one at a time in job-id order`,
  }));
  for (const comp of new Set(inCycle.values())) {
    const gone = dropped.filter((d) => d.cycle === comp);
    if (gone.length === 0) continue; // a cycle of depends_on alone: a problem above
    const order = orderWithin(comp, explicit);
    for (let i = 1; i < order.length; i++) after[order[i]].add(order[i - 1]);
    const path = shortestCycle(comp, all);
    const why = path.map((id, i) => {
      const dep = path[(i + 1) % path.length];
      return gone.find((d) => d.job === id && d.dep === dep)?.reason ?? `${id} depends_on ${dep}`;
    });
    warnings.push({
      jobIds: comp,
      message: `jobs ${listWords(comp)}: dependencies inferred from their files form a cycle (${[...path, path[0]].join(' -> ')}: ${why.join('; ')}); they run one at a time in job-id order${order.join() !== comp.join() ? ' (after their depends_on)' : ''}: ${order.join(', ')}`,
    });
  }
  const out: Deps = {};
  const outAfter: Deps = {};
  for (const job of sorted) {
    out[job.id] = [...deps[job.id]].sort(cmp);
    outAfter[job.id] = [...after[job.id]].filter((d) => !deps[job.id].has(d)).sort(cmp);
  }
  return { deps: out, after: outAfter, problems, warnings, dropped };
}

/** Jobs of one cycle in the order they run: job-id order, except that a job comes after its
 * depends_on (which has no cycle of its own here, or its jobs are problems anyway). */
function orderWithin(comp: string[], explicit: Deps): string[] {
  const left = new Set(comp);
  const order: string[] = [];
  while (left.size > 0) {
    const next = [...left].find((id) => (explicit[id] ?? []).every((d) => !left.has(d))) ?? [...left][0];
    order.push(next);
    left.delete(next);
  }
  return order;
}

/** Both deps and after: everything a job waits for, for levels and display. */
export function waitsFor(deps: Deps, after: Deps = {}): Deps {
  const out: Deps = {};
  for (const id of new Set([...Object.keys(deps), ...Object.keys(after)])) out[id] = [...new Set([...(deps[id] ?? []), ...(after[id] ?? [])])].sort(cmp);
  return out;
}

function listWords(xs: string[]): string {
  return xs.length <= 2 ? xs.join(' and ') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`;
}

/** Every cycle (strongly connected component with more than one job, or a self-loop), each
 * listed in dependency order starting from its smallest id. */
export function findCycles(deps: Deps): string[][] {
  return stronglyConnected(deps).map((comp) => shortestCycle(comp, deps));
}

/** Strongly connected components with more than one job (or a self-loop), each sorted, in order
 * of their smallest id. */
export function stronglyConnected(deps: Deps): string[][] {
  // Tarjan's algorithm, iterative so a long chain cannot overflow the stack.
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const comps: string[][] = [];
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
        if (comp.length > 1 || (deps[top.v] ?? []).includes(top.v)) comps.push(comp.sort(cmp));
      }
    }
  }
  return comps.sort((a, b) => cmp(a[0], b[0]));
}

/** One shortest cycle through the smallest id of a component, in dependency order (each job
 * waits for the next, the last for the first). */
function shortestCycle(comp: string[], deps: Deps): string[] {
  const members = new Set(comp);
  const start = comp[0];
  const parent = new Map<string, string>();
  const queue = [start];
  for (let q = 0; q < queue.length; q++) {
    const cur = queue[q];
    for (const d of deps[cur] ?? []) {
      if (!members.has(d)) continue;
      if (d === start) {
        const path = [cur];
        while (path[0] !== start) path.unshift(parent.get(path[0])!);
        return path;
      }
      if (!parent.has(d)) { parent.set(d, cur); queue.push(d); }
    }
  }
  return [start];
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
