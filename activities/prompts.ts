// Building prompts from the project's files: system prompt file, context files (with limits),
// and the outputs of the job's own dependencies as implicit context. Read-only.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import type { JobSpec } from '../core/job';
import type { GeneratedFile } from '../core/output-parse';
import { ChatPrompt, SourceFile, checkPromptBudget, generationPrompt, verificationPrompt } from '../core/prompts';
import { typedFailures } from './failures';
import { readProjectText } from './project-fs';

export interface PromptLimits {
  maxContextLines: number;
  maxContextFiles: number;
  maxPromptTokens: number;
}

interface PromptRequestBase {
  root: string;
  job: JobSpec;
  /** Outputs of the job's own dependencies, in dependency order. */
  dependencyOutputs: string[];
  limits: PromptLimits;
}

export interface GenerationPromptRequest extends PromptRequestBase {
  outputPaths: string[];
  retry?: { reason: string; previous: GeneratedFile[] };
}

export interface VerificationPromptRequest extends PromptRequestBase {
  generated: GeneratedFile[];
}

export interface PreparedPrompt {
  prompt: ChatPrompt;
  estimatedTokens: number;
  contextFiles: string[];
  warnings: string[];
}

export async function prepareGenerationPrompt(req: GenerationPromptRequest): Promise<PreparedPrompt> {
  return typedFailures(async () => {
    const projectPrompt = await systemPromptFile(req.root, 'create');
    const context = await readContext(req);
    const prompt = generationPrompt({ projectPrompt, context, instructions: req.job.instructions, outputPaths: req.outputPaths, retry: req.retry });
    return finish(prompt, context, req.limits);
  });
}

export async function prepareVerificationPrompt(req: VerificationPromptRequest): Promise<PreparedPrompt> {
  return typedFailures(async () => {
    const projectPrompt = await systemPromptFile(req.root, 'verify');
    const context = await readContext(req);
    const prompt = verificationPrompt({ projectPrompt, context, instructions: req.job.instructions, generated: req.generated });
    return finish(prompt, context, req.limits);
  });
}

function finish(prompt: ChatPrompt, context: SourceFile[], limits: PromptLimits): PreparedPrompt {
  const budget = checkPromptBudget(prompt, limits.maxPromptTokens);
  if (budget.level === 'fail') throw ApplicationFailure.nonRetryable(budget.message!, 'LimitExceeded');
  return { prompt, estimatedTokens: budget.tokens, contextFiles: context.map((c) => c.path), warnings: budget.message ? [budget.message] : [] };
}

/** jobs/_systemprompt_<name>.md; create and verify are required. */
async function systemPromptFile(root: string, name: string): Promise<string> {
  const rel = `jobs/_systemprompt_${name}.md`;
  try {
    return await fs.readFile(path.join(root, rel), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw ApplicationFailure.nonRetryable(`${rel} is missing: it holds the system prompt for this mode (worksplit init writes one)`, 'InvalidProject');
    }
    throw e;
  }
}

async function readContext(req: PromptRequestBase): Promise<SourceFile[]> {
  const explicit = req.job.contextFiles;
  // Implicit context fills free slots with the outputs of this job's own dependencies only, so the
  // prompt never depends on which unrelated job happened to finish first.
  const free = Math.max(0, req.limits.maxContextFiles - explicit.length);
  const own = new Set([...explicit, ...(req.job.targetFiles ?? [])]);
  const implicit = req.dependencyOutputs.filter((p) => !own.has(p)).slice(0, free);
  const files: SourceFile[] = [];
  for (const p of [...explicit, ...implicit]) {
    const content = await readProjectText(req.root, p);
    const lines = content.split('\n').length;
    if (lines > req.limits.maxContextLines) {
      throw ApplicationFailure.nonRetryable(
        `${p} has ${lines} lines, over max_context_lines (${req.limits.maxContextLines}); split it into smaller files first (a split job can do it)`,
        'LimitExceeded',
      );
    }
    files.push({ path: p, content });
  }
  return files;
}
