// Prompt assembly for every mode (SPEC §2). The section names are WorkSplit's; the wording is
// this project's. Pure: the caller reads the files and passes their text in.
import type { JobSpec } from './job';
import type { GeneratedFile } from './output-parse';

export interface SourceFile {
  path: string;
  content: string;
}

/** The [limits] a prompt is built within. */
export interface PromptLimits {
  maxContextLines: number;
  maxContextFiles: number;
  maxPromptTokens: number;
}

export interface ChatPrompt {
  system: string;
  user: string;
}

export interface RetryFeedback {
  reason: string;
  previous: GeneratedFile[];
}

/** What a prompt is for; the file contents it needs (targets) are filled in by the caller. */
export type PromptSpec =
  | { kind: 'generate'; outputPaths: string[]; retry?: RetryFeedback }
  | { kind: 'sequential'; file: string; previous: GeneratedFile[]; remaining: string[]; retry?: RetryFeedback }
  | { kind: 'split'; file: string; previous: GeneratedFile[]; remaining: string[]; retry?: RetryFeedback }
  | { kind: 'edit'; retry?: RetryFeedback }
  | { kind: 'replace_pattern'; retry?: RetryFeedback }
  | { kind: 'test'; testPath: string; retry?: RetryFeedback }
  /** `structured`: the call asks for the verdict as JSON (core/verdict.ts VERDICT_SCHEMA). */
  | { kind: 'verify'; generated: GeneratedFile[]; edit: boolean; structured?: boolean }
  | { kind: 'fix'; command: string; output: string; files: GeneratedFile[] };

/** A prompt to build from the project's files (project/prompt-files.ts). */
export interface PromptRequest {
  root: string;
  job: JobSpec;
  /** Outputs of the job's own dependencies, in dependency order (implicit context). */
  dependencyOutputs: string[];
  /** Files this job generated earlier that the prompt must see (TDD: the test file). */
  extraContext?: string[];
  limits: PromptLimits;
  spec: PromptSpec;
  /** preview: a prompt too large for workflow history is shown anyway (it is never run). */
  allowOverBudget?: boolean;
}

export interface PreparedPrompt {
  prompt: ChatPrompt;
  estimatedTokens: number;
  contextFiles: string[];
  /** Lines of every context and target file, by path. */
  lineCounts: Record<string, number>;
  /** The target files as read for this prompt; edits apply to exactly this text. */
  targets: SourceFile[];
  warnings: string[];
}

export type PromptKind = PromptSpec['kind'];

export interface PromptInput {
  /** Text of the project's system prompt file for this kind (jobs/_systemprompt_<name>.md). */
  projectPrompt: string;
  context: SourceFile[];
  instructions: string;
  /** The job's target files (edit, replace_pattern) or the file to split. */
  targets: SourceFile[];
}

/** The project's system prompt file for a kind, and the one to fall back to when it is missing. */
export function systemPromptFile(spec: PromptSpec): { name: string; fallback?: string } {
  switch (spec.kind) {
    case 'generate':
    case 'sequential':
      return { name: 'create' };
    case 'split':
      return { name: 'split' };
    case 'edit':
    case 'replace_pattern':
      return { name: 'edit' };
    case 'test':
      return { name: 'test' };
    case 'verify':
      return spec.edit ? { name: 'verify_edit', fallback: 'verify' } : { name: 'verify' };
    case 'fix':
      // WorkSplit folders may have no fix prompt; auto_fix is on by default, so the project's
      // coding rules from the create prompt stand in.
      return { name: 'fix', fallback: 'create' };
  }
}

/** Whether the prompt shows the job's targets (edit, replace_pattern) or the file to split. */
export function needsTargets(spec: PromptSpec): boolean {
  return spec.kind === 'edit' || spec.kind === 'replace_pattern' || spec.kind === 'split';
}

const BLOCK_RULES = [
  'Answer with each file in a block that starts with a line "~~~worksplit:<path>" and ends with a line "~~~worksplit".',
  'Put the complete file in the block, nothing else: no commentary inside it, no nested code fences.',
  'Write only the files you are asked for.',
].join('\n');

const SYSTEM: Record<PromptKind, string> = {
  generate: `You write source files for a software project.\n${BLOCK_RULES}`,
  sequential: `You write one source file of a set, in order, for a software project.\n${BLOCK_RULES}`,
  split: `You split a large source file into smaller modules without changing behaviour.\n${BLOCK_RULES}`,
  test: `You write tests first: a test file for code that does not exist yet.\n${BLOCK_RULES}`,
  fix: `You fix source files so that a failing command succeeds.\n${BLOCK_RULES}`,
  edit: [
    'You change existing source files with exact, minimal edits.',
    'Answer with edit blocks, each exactly:',
    'FILE: <path>\nFIND:\n<the exact current text, a few whole lines, unique in the file>\nREPLACE:\n<the new text>\nEND',
    'Use several blocks for several changes. Copy FIND text exactly as it is in the file (without the line numbers).',
  ].join('\n'),
  replace_pattern: [
    'You insert text after lines that match a pattern.',
    'Answer with pairs, each exactly:',
    'AFTER: <text that the lines to insert after contain>\nINSERT:\n<the lines to insert>\nEND',
    'Start with "SCOPE: <text>" to limit the pairs that follow to the block starting at the line containing that text.',
  ].join('\n'),
  verify: [
    'You review generated source files against their instructions.',
    'Start your answer with one verdict word: PASS, PASS_WITH_WARNINGS, FAIL_SOFT or FAIL_HARD.',
    'After a failing verdict, write ": " and the reason in a sentence or two; after PASS_WITH_WARNINGS, the warnings.',
  ].join('\n'),
};

/** The reviewer's instructions when the server holds the answer to VERDICT_SCHEMA. */
const STRUCTURED_VERIFY = [
  'You review generated source files against their instructions.',
  'Answer with a JSON object: {"verdict": "PASS" or "FAIL", "reason": "..."}.',
  'PASS only when the files do what the instructions ask, correctly and completely; otherwise FAIL, with the reason in a sentence or two.',
].join('\n');

/** The most of a reviewer's reason a retry prompt repeats. */
export const MAX_RETRY_REASON_CHARS = 4000;

export function buildPrompt(spec: PromptSpec, input: PromptInput): ChatPrompt {
  const parts: string[] = [];
  if (input.projectPrompt.trim()) parts.push(input.projectPrompt.trim());
  parts.push(contextSection(input.context));
  if (spec.kind === 'edit' || spec.kind === 'replace_pattern') {
    parts.push(`[TARGET FILES]\n${input.targets.map((t) => `### File: ${t.path}\n${numbered(t.content)}`).join('\n\n')}`);
  }
  if (spec.kind === 'split') {
    parts.push(`[TARGET FILE TO SPLIT]\n${filesSection(input.targets)}`);
  }
  parts.push(`[INSTRUCTIONS]\n${input.instructions.trim()}`);
  switch (spec.kind) {
    case 'generate':
      parts.push(outputSection(spec.outputPaths));
      break;
    case 'sequential':
      if (spec.previous.length > 0) parts.push(`[PREVIOUSLY GENERATED IN THIS JOB]\n${filesSection(spec.previous)}`);
      parts.push(`[REMAINING FILES]\n${spec.remaining.length > 0 ? spec.remaining.map((p) => `- ${p}`).join('\n') : '(none: this is the last file)'}`);
      parts.push(outputSection([spec.file]));
      break;
    case 'split':
      if (spec.previous.length > 0) parts.push(`[ALREADY GENERATED IN THIS SPLIT]\n${filesSection(spec.previous)}`);
      parts.push(`[REMAINING FILES]\n${spec.remaining.length > 0 ? spec.remaining.map((p) => `- ${p}`).join('\n') : '(none: this is the last part)'}`);
      parts.push(outputSection([spec.file]));
      break;
    case 'test':
      parts.push(`Write the tests only, for the code the instructions describe; the implementation is written next, from your tests.`);
      parts.push(outputSection([spec.testPath]));
      break;
    case 'edit':
      parts.push('[OUTPUT]\nAnswer with FILE/FIND/REPLACE/END blocks for the target files only.');
      break;
    case 'replace_pattern':
      parts.push('[OUTPUT]\nAnswer with AFTER:/INSERT:/END pairs (and SCOPE: lines where needed).');
      break;
    case 'verify':
      parts.push(`[GENERATED OUTPUT]\n${filesSection(spec.generated)}`);
      parts.push(spec.structured ? 'Does the generated output do what the instructions ask, correctly and completely? Answer with the JSON verdict.' : 'Does the generated output do what the instructions ask, correctly and completely? Answer with the verdict first.');
      break;
    case 'fix':
      parts.push(`[FAILED COMMAND]\n$ ${spec.command}\n${fence(spec.output)}`);
      parts.push(`[CURRENT FILES]\n${filesSection(spec.files)}`);
      parts.push(outputSection(spec.files.map((f) => f.path)));
      break;
  }
  if ('retry' in spec && spec.retry) {
    const prev = spec.retry.previous.length > 0 ? `\n\n${filesSection(spec.retry.previous)}` : '';
    const reason = spec.retry.reason.trim();
    // The reviewer's text is the model's own: capped, so a rambling verdict cannot push the retry
    // prompt over the budget.
    const shown = reason.length > MAX_RETRY_REASON_CHARS ? `${reason.slice(0, MAX_RETRY_REASON_CHARS)}\n(cut: the reason was ${reason.length} characters)` : reason;
    parts.push(`[PREVIOUS ATTEMPT]\nA reviewer rejected your previous answer for this reason:\n${shown || '(no reason given)'}${prev}\n\nFix what the reviewer found and answer again in full.`);
  }
  const system = spec.kind === 'verify' && spec.structured ? STRUCTURED_VERIFY : SYSTEM[spec.kind];
  return { system, user: parts.join('\n\n') + '\n' };
}

function contextSection(files: SourceFile[]): string {
  if (files.length === 0) return '[CONTEXT]\n(no context files)';
  return `[CONTEXT]\n${filesSection(files)}`;
}

function filesSection(files: SourceFile[]): string {
  return files.map((f) => `### File: ${f.path}\n${fence(f.content)}`).join('\n\n');
}

function outputSection(paths: string[]): string {
  if (paths.length === 1) return `[OUTPUT]\nWrite the file ${paths[0]} as one block:\n~~~worksplit:${paths[0]}\n...\n~~~worksplit`;
  return `[OUTPUT]\nWrite these files, each as its own ~~~worksplit:<path> block:\n${paths.map((p) => `- ${p}`).join('\n')}`;
}

function numbered(content: string): string {
  const lines = content.replace(/\n$/, '').split('\n');
  const width = String(lines.length).length;
  return fence(lines.map((l, i) => `${String(i + 1).padStart(width)} | ${l}`).join('\n'));
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

export type BudgetCheck = { level: 'ok' | 'warn'; tokens: number; message?: string };

/** max_prompt_tokens is a warning threshold (WorkSplit's estimate, characters / 4): a warning from
 * 80% of it. The hard limit is the model's context, which each call sizes num_ctx for
 * (core/context-window.ts). */
export function checkPromptBudget(prompt: ChatPrompt, maxPromptTokens: number): BudgetCheck {
  const tokens = estimateTokens(prompt);
  const share = tokens / maxPromptTokens;
  const msg = `prompt is about ${tokens} tokens, ${Math.round(share * 100)}% of max_prompt_tokens (${maxPromptTokens})`;
  if (share >= 0.8) return { level: 'warn', tokens, message: `${msg}; consider splitting the job or its context files (the model's context is the limit)` };
  return { level: 'ok', tokens };
}
