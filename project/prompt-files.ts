// Building a prompt from the project's files: the mode's system prompt file, context files
// (with limits), the outputs of the job's own dependencies as implicit context, and the target
// files the mode works on. Read-only. The prompt activity and `preview`/`validate` share it, so
// what the CLI shows is what a job sends.
import * as path from 'node:path';
import { ChatPrompt, PreparedPrompt, PromptRequest, PromptSpec, SourceFile, buildPrompt, checkPromptBudget, needsTargets, systemPromptFile } from '../core/prompts';
import { PAYLOAD_CEILING_BYTES, formatBytes } from '../core/limits';
import { projectConfig } from './project-config';
import { MissingFileError, readBoundedFile, readProjectText } from './project-fs';
import { lineCount } from '../core/lines';

/** A prompt over one of the limits (lines of a file, what a workflow may carry). */
export class PromptLimitError extends Error {
  override name = 'PromptLimitError';
}

/** The project has no system prompt file for the job's mode. */
export class MissingSystemPromptError extends Error {
  override name = 'MissingSystemPromptError';
}

export async function preparePrompt(req: PromptRequest): Promise<PreparedPrompt> {
  const projectPrompt = await readSystemPrompt(req.root, req.spec);
  const context = await readContext(req);
  const targets = needsTargets(req.spec) ? await readTargets(req) : [];
  const prompt = buildPrompt(req.spec, { projectPrompt, context, instructions: req.job.instructions, targets });
  // max_prompt_tokens only warns: the model's context is the limit (the LLM activity sizes num_ctx).
  const budget = checkPromptBudget(prompt, req.limits.maxPromptTokens);
  // Preview (allowOverBudget) shows the prompt outside Temporal; a run must fit in history.
  if (!req.allowOverBudget) checkPayloadSize(req.job.id, prompt, targets);
  const lineCounts = Object.fromEntries([...context, ...targets].map((f) => [f.path, lineCount(f.content)]));
  return { prompt, estimatedTokens: budget.tokens, contextFiles: context.map((c) => c.path), lineCounts, targets, warnings: budget.message ? [budget.message] : [] };
}

/** The prompt and its files go into workflow history twice over (result, then the model call's
 * input): whatever max_prompt_tokens says, they stay far below Temporal's 2 MB payload limit. */
function checkPayloadSize(jobId: string, prompt: ChatPrompt, targets: SourceFile[]): void {
  const bytes = Buffer.byteLength(prompt.system) + Buffer.byteLength(prompt.user) + targets.reduce((n, t) => n + Buffer.byteLength(t.content), 0);
  if (bytes > PAYLOAD_CEILING_BYTES) {
    throw new PromptLimitError(`the prompt of job ${jobId} with its files is ${formatBytes(bytes)}, over the ${formatBytes(PAYLOAD_CEILING_BYTES)} a workflow may carry; give it fewer or smaller files`);
  }
}

/** jobs/_systemprompt_<name>.md (or its fallback); a clear error names the missing file. A
 * symlink is refused: it could show a file from outside the project to the model. */
async function readSystemPrompt(root: string, spec: PromptSpec): Promise<string> {
  const { name, fallback } = systemPromptFile(spec);
  const maxBytes = (await projectConfig(root)).limits.max_file_bytes;
  for (const n of fallback ? [name, fallback] : [name]) {
    const rel = `jobs/_systemprompt_${n}.md`;
    try {
      return (await readBoundedFile(path.join(root, 'jobs', `_systemprompt_${n}.md`), rel, { maxBytes, setting: '[limits] max_file_bytes', noFollow: true })).toString('utf8');
    } catch (e) {
      if (!(e instanceof MissingFileError)) throw e;
    }
  }
  throw new MissingSystemPromptError(`jobs/_systemprompt_${name}.md is missing: it holds the system prompt for this mode (worksplit init writes one)`);
}

async function readContext(req: PromptRequest): Promise<SourceFile[]> {
  const explicit = [...req.job.contextFiles, ...(req.extraContext ?? []).filter((p) => !req.job.contextFiles.includes(p))];
  // Implicit context fills free slots with the outputs of this job's own dependencies only, so the
  // prompt never depends on which unrelated job happened to finish first.
  const free = Math.max(0, req.limits.maxContextFiles - req.job.contextFiles.length);
  // A file the prompt shows as a target (an edit job's output by default) is not context as well.
  const own = new Set([...explicit, ...(req.job.targetFiles ?? []), ...(req.job.targetFile ? [req.job.targetFile] : []), ...(needsTargets(req.spec) ? targetPaths(req) : [])]);
  const implicit = req.dependencyOutputs.filter((p) => !own.has(p)).slice(0, free);
  const files: SourceFile[] = [];
  for (const p of [...explicit, ...implicit]) files.push({ path: p, content: await readLimited(req, p) });
  return files;
}

function targetPaths(req: PromptRequest): string[] {
  return req.spec.kind === 'split' ? [req.job.targetFile!] : req.job.targetFiles?.length ? req.job.targetFiles : [req.job.outputPath];
}

async function readTargets(req: PromptRequest): Promise<SourceFile[]> {
  const out: SourceFile[] = [];
  for (const p of targetPaths(req)) out.push({ path: p, content: await readLimited(req, p) });
  return out;
}

async function readLimited(req: PromptRequest, p: string): Promise<string> {
  const content = await readProjectText(req.root, p, (await projectConfig(req.root)).limits.max_file_bytes);
  const lines = lineCount(content);
  if (lines > req.limits.maxContextLines) {
    throw new PromptLimitError(`${p} has ${lines} lines, over max_context_lines (${req.limits.maxContextLines}); split it into smaller files first (a split job can do it)`);
  }
  return content;
}
