// `worksplit preview JOB`: exactly what the job's first model call would send, with the context
// files, their line counts, the token estimate and the model.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { formatProblem } from '../../core/job';
import { printable } from '../../core/printable';
import { readJobFile } from '../../project/job-files';
import { listJobIds } from '../../project/jobs-folder';
import { preparePrompt } from '../../project/prompt-files';
import { MissingFileError } from '../../project/project-fs';
import { askModelFacts, contextReport } from '../context-report';
import { planFromProject } from '../../project/run-plan';
import { Output, UsageError, colors } from '../output';
import { loadProject, runSettings } from '../project';
import { firstCall } from '../first-call';
import { shownUrl, shownValue } from '../../core/shown';

export async function previewCommand(dir: string, id: string, out: Output): Promise<number> {
  const project = await loadProject(dir);
  const settings = runSettings(project.config);
  // Asked while the job and its files are read (it never rejects: no answer means unknown).
  const facts = askModelFacts(settings.llm);
  const ids = await listJobIds(project.ref.root);
  if (!ids.includes(id)) throw new UsageError(`no job "${id}" in jobs/`);
  const parsed = await readJobFile(project.ref.root, id, project.config.limits.max_context_files);
  if (!parsed.ok) throw new UsageError(parsed.problems.map(formatProblem).join('\n'));
  const job = parsed.job;
  const first = firstCall(job);
  if (!first) {
    out.line(`${id} is an update_fixtures job: it adds ${job.newField} to every ${job.structName} literal in ${job.targetFiles?.join(', ')} without a model call${job.verify ? ', then the model verifies the result' : ''}.`);
    return 0;
  }
  const spec = first.spec;
  const plan = await planFromProject(project.ref.root, project.config.limits.max_context_files, { resume: true, rerun: true });
  // The outputs of dependencies that have not run yet are not on disk: the prompt shows the ones
  // that are, as the job would see them if it ran now, and says which are still to come.
  const dependencyOutputs = plan.dependencyOutputs[id] ?? [];
  const notYet = dependencyOutputs.filter((p) => !existsSync(path.join(project.ref.root, p)));
  let prepared;
  try {
    prepared = await preparePrompt({ root: project.ref.root, job, dependencyOutputs: dependencyOutputs.filter((p) => !notYet.includes(p)), limits: settings.limits, spec, extraContext: first.extraContext, allowOverBudget: true });
  } catch (e) {
    // A target or context file that one of the job's dependencies writes, before they ran.
    if (e instanceof MissingFileError && dependencyOutputs.includes(e.path)) {
      out.line(`${id}'s prompt shows ${printable(e.path)}, which its dependencies (${(plan.deps[id] ?? []).join(', ')}) write and which is not there yet: preview ${id} again once they have run.`);
      return 0;
    }
    throw new UsageError(`${id}: ${(e as Error).message}`);
  }
  out.line(colors.bold(`=== system ===`));
  out.line(prepared.prompt.system);
  out.line(colors.bold(`=== user ===`));
  out.line(prepared.prompt.user);
  out.line(colors.bold('=== summary ==='));
  out.line(`job: ${id} (${job.mode}${job.sequential ? ', sequential' : ''}${job.testFile ? ', tdd' : ''}); first call: ${spec.kind}`);
  for (const f of prepared.contextFiles) out.line(`  context ${printable(f)} (${prepared.lineCounts[f]} lines)`);
  for (const t of prepared.targets) out.line(`  target  ${printable(t.path)} (${prepared.lineCounts[t.path]} lines)`);
  out.line(`estimated tokens: ${prepared.estimatedTokens} of max_prompt_tokens ${settings.limits.maxPromptTokens}`);
  out.line(`model: ${shownValue(settings.llm.model)} at ${shownUrl(settings.llm.url)}`);
  const answer = await facts;
  const context = contextReport(settings.llm, prepared.prompt, answer);
  if ('modelMissing' in answer && answer.modelMissing) out.warn(`worksplit.toml: ollama.model: ${answer.unknown}`);
  out.line(context.line);
  if (notYet.length > 0) out.warn(`${id}: not in this prompt yet: ${notYet.join(', ')} (written by ${id}'s dependencies, which have not run; the job's prompt will show them)`);
  prepared.warnings.forEach((w) => out.warn(w));
  if (context.problem) out.warn(`${id}: ${context.problem}`);
  return 0;
}
