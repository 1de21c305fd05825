// Prompt assembly (SPEC §2). The section names are WorkSplit's; the wording is this project's.
// Pure: callers read the files and pass their text in.
import type { GeneratedFile } from './output-parse';

export interface SourceFile {
  path: string;
  content: string;
}

export interface ChatPrompt {
  system: string;
  user: string;
}

export interface GenerationPromptInput {
  /** Text of jobs/_systemprompt_<mode>.md. */
  projectPrompt: string;
  context: SourceFile[];
  instructions: string;
  outputPaths: string[];
  /** Set on the one retry after a failed verification. */
  retry?: { reason: string; previous: GeneratedFile[] };
}

export interface VerificationPromptInput {
  projectPrompt: string;
  context: SourceFile[];
  instructions: string;
  generated: GeneratedFile[];
}

const GENERATE_RULES = [
  'You write source files for a software project.',
  'Answer with each file in a block that starts with a line "~~~worksplit:<path>" and ends with a line "~~~worksplit".',
  'Put the complete file in the block, nothing else: no commentary inside it, no nested code fences.',
  'Write only the files you are asked for.',
].join('\n');

const VERIFY_RULES = [
  'You review generated source files against their instructions.',
  'Start your answer with one verdict word: PASS, PASS_WITH_WARNINGS, FAIL_SOFT or FAIL_HARD.',
  'After a failing verdict, write ": " and the reason in a sentence or two; after PASS_WITH_WARNINGS, the warnings.',
].join('\n');

export function generationPrompt(input: GenerationPromptInput): ChatPrompt {
  const parts: string[] = [];
  if (input.projectPrompt.trim()) parts.push(input.projectPrompt.trim());
  parts.push(contextSection(input.context));
  parts.push(`[INSTRUCTIONS]\n${input.instructions.trim()}`);
  if (input.retry) {
    parts.push(`[PREVIOUS ATTEMPT]\nA reviewer rejected your previous answer for this reason:\n${input.retry.reason.trim() || '(no reason given)'}\n\n${filesSection(input.retry.previous)}`);
    parts.push('Fix what the reviewer found and answer with the complete corrected files.');
  }
  parts.push(outputSection(input.outputPaths));
  return { system: GENERATE_RULES, user: parts.join('\n\n') + '\n' };
}

export function verificationPrompt(input: VerificationPromptInput): ChatPrompt {
  const parts: string[] = [];
  if (input.projectPrompt.trim()) parts.push(input.projectPrompt.trim());
  parts.push(contextSection(input.context));
  parts.push(`[INSTRUCTIONS]\n${input.instructions.trim()}`);
  parts.push(`[GENERATED OUTPUT]\n${filesSection(input.generated)}`);
  parts.push('Does the generated output do what the instructions ask, correctly and completely? Answer with the verdict first.');
  return { system: VERIFY_RULES, user: parts.join('\n\n') + '\n' };
}

function contextSection(files: SourceFile[]): string {
  if (files.length === 0) return '[CONTEXT]\n(no context files)';
  return `[CONTEXT]\n${files.map((f) => `### File: ${f.path}\n${fence(f.content)}`).join('\n\n')}`;
}

function filesSection(files: GeneratedFile[]): string {
  return files.map((f) => `### File: ${f.path}\n${fence(f.content)}`).join('\n\n');
}

function outputSection(paths: string[]): string {
  if (paths.length === 1) return `[OUTPUT]\nWrite the file ${paths[0]} as one block:\n~~~worksplit:${paths[0]}\n...\n~~~worksplit`;
  return `[OUTPUT]\nWrite these files, each as its own ~~~worksplit:<path> block:\n${paths.map((p) => `- ${p}`).join('\n')}`;
}

// A fence longer than any backtick run inside the content, so files holding fences stay intact.
function fence(content: string): string {
  const longest = Math.max(2, ...[...content.matchAll(/`+/g)].map((m) => m[0].length));
  const f = '`'.repeat(longest + 1);
  return `${f}\n${content.replace(/\n$/, '')}\n${f}`;
}

/** Estimated tokens: characters / 4, WorkSplit's rule of thumb. */
export function estimateTokens(prompt: ChatPrompt): number {
  return Math.ceil((prompt.system.length + prompt.user.length) / 4);
}

export type BudgetCheck = { level: 'ok' | 'warn' | 'fail'; tokens: number; message?: string };

/** Warn at 80% and fail at 90% of the prompt-token budget. */
export function checkPromptBudget(prompt: ChatPrompt, maxPromptTokens: number): BudgetCheck {
  const tokens = estimateTokens(prompt);
  const share = tokens / maxPromptTokens;
  const msg = `prompt is about ${tokens} tokens, ${Math.round(share * 100)}% of max_prompt_tokens (${maxPromptTokens})`;
  if (share >= 0.9) return { level: 'fail', tokens, message: `${msg}; split the job or its context files` };
  if (share >= 0.8) return { level: 'warn', tokens, message: msg };
  return { level: 'ok', tokens };
}
