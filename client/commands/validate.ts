// `worksplit validate`: the folder, the config, every job, the dependencies, every job's context
// and target files (as `run` reads them) and the system prompt files the jobs' modes need. Exit 2
// when anything is wrong; a new-job placeholder left in a job is a warning.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { buildDependencyGraph } from '../../core/graph';
import { declaredOutputs, formatProblem } from '../../core/job';
import { outputsOfDependencies } from '../../core/plan';
import { readJobFolder } from '../../project/job-files';
import { Output, colors, plural } from '../output';
import { askModelFacts } from '../context-report';
import { checkJobInputs, systemPromptsOf } from '../first-call';
import { loadProject, runSettings } from '../project';
import { NEW_JOB_PLACEHOLDERS } from '../templates';
import { shownUrl, shownValue } from '../../core/shown';

export async function validateCommand(dir: string, out: Output): Promise<number> {
  const project = await loadProject(dir);
  const errors: string[] = [];
  const warnings = [...project.warnings];
  const settings = runSettings(project.config);
  // Asked once, while the job files are read: with no answer the context windows are left to run
  // time, not waited for per job.
  const facts = askModelFacts(settings.llm);
  const folder = await readJobFolder(project.ref.root, project.config.limits.max_context_files);
  warnings.push(...folder.warnings.map(formatProblem));
  for (const ps of Object.values(folder.problems)) errors.push(...ps.map(formatProblem));
  const graph = buildDependencyGraph(folder.jobs, Object.keys(folder.problems));
  errors.push(...graph.problems.map((p) => `${p.jobIds.map((id) => `jobs/${id}.md`).join(', ')}: ${p.field}: ${p.message}`));
  warnings.push(...graph.warnings.map((w) => w.message));
  const writers = new Map<string, string[]>();
  for (const j of folder.jobs) for (const out of declaredOutputs(j)) writers.set(out, [...(writers.get(out) ?? []), j.id]);
  const dependencyOutputs = outputsOfDependencies(graph.deps, folder.jobs, folder.jobs.map((j) => j.id));
  const model = { llm: settings.llm, facts: await facts };
  // A model the server does not have fails every job of a run: worth saying once, here.
  const answer = model.facts;
  if ('modelMissing' in answer && answer.modelMissing) warnings.push(`worksplit.toml: ollama.model: ${answer.unknown}`);
  const contextLines: string[] = [];
  // Checked side by side (each reads its own files), reported in job order.
  const checks = await Promise.all(folder.jobs.map((j) => checkJobInputs(project.ref.root, j, dependencyOutputs[j.id] ?? [], writers, settings.limits, model)));
  for (const [i, j] of folder.jobs.entries()) {
    const inputs = checks[i];
    errors.push(...inputs.errors);
    warnings.push(...inputs.warnings);
    if (inputs.context?.numCtx !== undefined) contextLines.push(`  ${j.id}: prompt about ${inputs.context.tokens} tokens -> num_ctx ${inputs.context.numCtx}${inputs.context.fits ? '' : ` ${colors.red('(does not fit)')}`}`);
    if (Object.values(NEW_JOB_PLACEHOLDERS).some((p) => j.instructions.includes(p))) {
      warnings.push(`jobs/${j.id}.md: the instructions are still new-job's placeholder; write what the model should do`);
    }
  }
  // WorkSplit's two prompts every folder has, and what each job's calls use.
  const needed = new Set(['create', 'verify', ...folder.jobs.flatMap(systemPromptsOf)]);
  for (const n of needed) {
    if (!existsSync(path.join(project.ref.root, 'jobs', `_systemprompt_${n}.md`))) errors.push(`jobs/_systemprompt_${n}.md: missing (needed by ${n === 'create' || n === 'verify' ? 'every job' : `the ${n} prompts`})`);
  }
  warnings.forEach((w) => out.warn(w));
  if (contextLines.length > 0) {
    const maxContext = 'facts' in model.facts ? model.facts.facts.maxContext : undefined;
    const max = maxContext !== undefined ? `, maximum ${maxContext}` : '';
    out.line(`Context windows of the first calls (${shownValue(settings.llm.model)} at ${shownUrl(settings.llm.url)}${max}):`);
    contextLines.forEach((l) => out.line(l));
  }
  if (errors.length > 0) {
    errors.forEach((e) => out.line(`${colors.red('✖')} ${e}`));
    out.line(`\n${plural(errors.length, 'problem')} in ${plural(folder.ids.length, 'job')}.`);
    return 2;
  }
  out.line(`${colors.green('✔')} worksplit.toml, ${plural(folder.ids.length, 'job')}, dependencies and system prompts are valid.`);
  return 0;
}
