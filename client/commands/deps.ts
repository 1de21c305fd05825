// `worksplit deps`: what each job waits for, the execution groups, and the dependencies inferred
// from files that were dropped (and why).
import { printable } from '../../core/printable';
import { buildDependencyGraph, executionGroups, waitsFor } from '../../core/graph';
import { blockedByInvalid } from '../../core/plan';
import { readJobFolder } from '../../project/job-files';
import { Output } from '../output';
import { loadProject } from '../project';

export async function depsCommand(dir: string, out: Output): Promise<number> {
  const project = await loadProject(dir);
  const folder = await readJobFolder(project.ref.root, project.config.limits.max_context_files);
  const graph = buildDependencyGraph(folder.jobs, Object.keys(folder.problems));
  const bad = new Set([...Object.keys(folder.problems), ...graph.problems.flatMap((p) => p.jobIds)]);
  const valid = folder.jobs.map((j) => j.id).filter((id) => !bad.has(id));
  // Jobs that need a job that cannot run would only be skipped: not in the groups.
  const blocked = blockedByInvalid(graph.deps, bad, valid);
  const runnable = valid.filter((id) => blocked[id] === undefined);
  out.line('Dependencies (<- must pass first; "after": must have finished first, whatever the outcome):');
  for (const j of folder.jobs) {
    const deps = graph.deps[j.id];
    const after = graph.after[j.id];
    const parts = [...(deps.length ? [`<- ${deps.join(', ')}`] : []), ...(after.length ? [`after ${after.join(', ')}`] : [])];
    out.line(`  ${j.id}${parts.length ? ` ${parts.join('; ')}` : ' (none)'}`);
  }
  out.line('\nExecution groups:');
  executionGroups(waitsFor(graph.deps, graph.after), runnable).forEach((g, i) => out.line(`  ${i + 1}. ${g.join(', ')}`));
  if (graph.dropped.length > 0) {
    out.line('\nInferred dependencies dropped (on a cycle of inferred dependencies; those jobs run one at a time in job-id order):');
    for (const d of graph.dropped) out.line(`  ${d.job} <- ${d.dep}: ${d.reason} (cycle: ${d.cycle.join(', ')})`);
  }
  graph.warnings.forEach((w) => out.warn(w.message));
  for (const p of graph.problems) out.line(`  cannot run: ${p.message}`);
  for (const id of Object.keys(folder.problems)) out.line(`  cannot run: ${printable(id)} (invalid job file; see worksplit validate)`);
  for (const [id, root] of Object.entries(blocked)) out.line(`  cannot run: ${printable(id)} (needs ${printable(root)}, which cannot run)`);
  return bad.size > 0 ? 2 : 0;
}
