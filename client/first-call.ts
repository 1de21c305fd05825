// A job's first model call, prepared exactly as its workflow prepares it (project/prompt-files.ts):
// `preview` prints it, `validate` checks through it that every job's context and target files
// can be read, stay inside the project and fit the limits, as `run` will.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { JobSpec } from '../core/job';
import type { LlmSettings } from '../core/model-call';
import { ContextReport, type ModelFactsAnswer, contextReport } from './context-report';
import { PromptLimits, systemPromptFile } from '../core/prompts';
import { MissingSystemPromptError, preparePrompt } from '../project/prompt-files';
import { FirstAsk, jobOpening } from '../core/job-opening';

/** A job's first model call as its workflow finds it, by running the job's mode up to its first
 * ask (core/job-opening.ts); none for update_fixtures, which reads its files first. */
export function firstCall(job: JobSpec): FirstAsk | undefined {
  return jobOpening(job).ask;
}

/** The system prompt files a job's generating calls need: its first call's, and for a TDD job
 * also the one of the code written after its tests. (Verification needs `verify`, every job.) */
export function systemPromptsOf(job: JobSpec): string[] {
  const calls = [firstCall(job), ...(job.testFile ? [firstCall({ ...job, testFile: undefined })] : [])];
  return calls.flatMap((c) => (c ? [systemPromptFile(c.spec).name] : []));
}

/** The files a job reads before its first answer, by the field that names them. */
function inputFields(job: JobSpec): Array<{ field: string; file: string }> {
  const inputs = job.contextFiles.map((file) => ({ field: 'context_files', file }));
  if (job.targetFile) inputs.push({ field: 'target_file', file: job.targetFile });
  if (job.targetFiles?.length) inputs.push(...job.targetFiles.map((file) => ({ field: 'target_files', file })));
  else if (job.mode !== 'replace' && job.mode !== 'split') inputs.push({ field: 'target_files', file: job.outputPath });
  return inputs;
}

export interface InputCheck {
  errors: string[];
  warnings: string[];
  /** The first call's context window, when the job's prompt could be built. */
  context?: ContextReport;
}

/** The model, its settings and what its server said about its context (undefined: no answer). */
export interface ContextCheck {
  llm: LlmSettings;
  facts: ModelFactsAnswer;
}

/** What `run` would reject about a job's inputs, found now: a file that does not exist and that
 * no job writes before this one, a file outside the project, over max_context_lines, or a prompt
 * over the token budget. A file one of the job's dependencies writes need not exist yet; its
 * size is checked when the job runs. `writers` maps a path to the jobs that write it. */
export async function checkJobInputs(root: string, job: JobSpec, dependencyOutputs: string[], writers: Map<string, string[]>, limits: PromptLimits, model?: ContextCheck): Promise<InputCheck> {
  const file = `jobs/${job.id}.md`;
  const errors: string[] = [];
  const warnings: string[] = [];
  let waitsForFiles = false;
  for (const { field, file: input } of inputFields(job)) {
    if (existsSync(path.join(root, input))) continue;
    const by = (writers.get(input) ?? []).filter((id) => id !== job.id);
    if (dependencyOutputs.includes(input)) waitsForFiles = true;
    else if (by.length > 0) {
      waitsForFiles = true;
      warnings.push(`${file}: ${field}: ${input} does not exist yet; ${by.join(', ')} writes it, but this job does not wait for ${by.length > 1 ? 'them' : 'it'} (add depends_on)`);
    } else errors.push(`${file}: ${field}: ${input} does not exist, and no job writes it`);
  }
  if (errors.length > 0 || waitsForFiles || job.mode === 'update_fixtures') return { errors, warnings };
  try {
    const existing = dependencyOutputs.filter((p) => existsSync(path.join(root, p)));
    const first = firstCall(job);
    if (!first) return { errors, warnings };
    const prepared = await preparePrompt({ root, job, dependencyOutputs: existing, limits, spec: first.spec, extraContext: first.extraContext });
    warnings.push(...prepared.warnings.map((w) => `${file}: ${w}`));
    if (model) {
      const context = contextReport(model.llm, prepared.prompt, model.facts);
      if (context.problem) warnings.push(`${file}: ${context.problem}`);
      return { errors, warnings, context };
    }
  } catch (e) {
    // A missing system prompt file is reported once for the whole folder by validate.
    if (!(e instanceof MissingSystemPromptError)) errors.push(`${file}: ${(e as Error).message}`);
  }
  return { errors, warnings };
}
