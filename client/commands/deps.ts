// `worksplit deps`: what each job waits for, and the execution groups.
import { buildDependencyGraph, executionGroups } from '../../core/graph';
import { readJobFolder } from '../../activities/job-files';
import { Output } from '../output';
import { loadProject } from '../project';

export async function depsCommand(dir: string, out: Output): Promise<number> {
  const project = await loadProject(dir);
  const folder = await readJobFolder(project.ref.root, project.config.limits.max_context_files);
  const graph = buildDependencyGraph(folder.jobs, Object.keys(folder.problems));
  const bad = new Set([...Object.keys(folder.problems), ...graph.problems.flatMap((p) => p.jobIds)]);
  const runnable = folder.jobs.map((j) => j.id).filter((id) => !bad.has(id));
  out.line('Dependencies:');
  for (const j of folder.jobs) out.line(`  ${j.id}${graph.deps[j.id].length ? ` <- ${graph.deps[j.id].join(', ')}` : ' (none)'}`);
  out.line('\nExecution groups:');
  executionGroups(graph.deps, runnable).forEach((g, i) => out.line(`  ${i + 1}. ${g.join(', ')}`));
  for (const p of graph.problems) out.line(`  cannot run: ${p.message}`);
  for (const id of Object.keys(folder.problems)) out.line(`  cannot run: ${id} (invalid job file; see worksplit validate)`);
  return bad.size > 0 ? 2 : 0;
}
