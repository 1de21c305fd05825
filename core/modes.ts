// How each mode produces its files (SPEC §2): one place per mode, all over the same two steps
// (prompt + model call) and the pure parsers and transforms beside it. Pure and deterministic: the
// job workflow runs it, and the load activity and the CLI run it up to a job's first call.
import { applyEdits, parseEditBlocks } from './edits';
import { JobSpec, declaredOutputs, joinPath } from './job';
import { GeneratedFile, confineToDeclared, confineToProject, parseGeneratedFiles } from './output-parse';
import { PATTERN_WORK_BUDGET, addFieldToStructLiterals, applyPatternInserts, parsePatternInserts } from './patterns';
import type { PromptSpec, RetryFeedback, SourceFile } from './prompts';
import type { PartialState } from './status';
import type { FailureType } from './failure-types';
import { type NewerRules, decide } from './newer-rules';
import { type WrittenLines, editsWritten, insertsWritten } from './output-lines';

/** What a mode needs from the job workflow: one model call for a prompt, and reading files. */
export interface ModeContext {
  job: JobSpec;
  /** Build the prompt, call the model; returns the answer and the targets the prompt showed. */
  ask(spec: PromptSpec, extraContext?: string[]): Promise<{ text: string; targets: SourceFile[] }>;
  readFiles(paths: string[]): Promise<SourceFile[]>;
  /** Files this job generated before the main step (the TDD test file). */
  extraContext: string[];
  /** Whether the path rules added later apply to this job's answers (core/paths.ts); always,
   * unless a workflow replays a job that started before them. */
  newerNameRules?: NewerRules;
  /** Whether the answer-parsing rules added later apply (core/newer-rules.ts); always, unless a
   * workflow replays a job that started before them. */
  newerAnswerRules?: NewerRules;
  /** Whether pattern insertions run within PATTERN_WORK_BUDGET; always, unless a workflow replays
   * a job that started before the bound. */
  boundedWork?: NewerRules;
}

export type Produced =
  /** `written`: what the model wrote, when that is not `files` (an in-place mode's edits or
   * insertions): what max_output_lines limits (core/output-lines.ts). */
  | { ok: true; files: GeneratedFile[]; partial?: PartialState; written?: WrittenLines[] }
  /** `retryable`: worth the one retry with feedback (an unusable answer), or final (unsafe). */
  | { ok: false; error: string; type: FailureType; retryable: boolean };

/** The test file of a TDD job: `output_dir/test_file`. */
export function testPath(job: JobSpec): string | undefined {
  return job.testFile ? joinPath(job.outputDir, job.testFile) : undefined;
}

/** Files a job's prompts show beside its context: the TDD test file it wrote first. */
export function modeExtraContext(job: JobSpec): string[] {
  const test = testPath(job);
  return test ? [test] : [];
}

/** Outputs of the main step: everything declared except the TDD test file. */
export function mainOutputs(job: JobSpec): string[] {
  const test = testPath(job);
  return declaredOutputs(job).filter((p) => p !== test);
}

export function isInPlaceMode(job: JobSpec): boolean {
  return job.mode === 'edit' || job.mode === 'replace_pattern' || job.mode === 'update_fixtures';
}

export async function produce(ctx: ModeContext, retry?: RetryFeedback): Promise<Produced> {
  const { job } = ctx;
  switch (job.mode) {
    case 'edit':
      return produceEdits(ctx, retry);
    case 'replace_pattern':
      return producePatternInserts(ctx, retry);
    case 'update_fixtures':
      return produceFixtures(ctx);
    case 'split':
      return produceOneByOne(ctx, 'split', job.outputFiles ?? [], retry);
    case 'replace':
      if (job.sequential) return produceOneByOne(ctx, 'sequential', job.outputFiles ?? [], retry);
      return produceReplace(ctx, retry);
  }
}

/** TDD's first step: the test file, from the test prompt. */
export async function produceTests(ctx: ModeContext, retry?: RetryFeedback): Promise<Produced> {
  const path = testPath(ctx.job)!;
  const { text } = await ctx.ask({ kind: 'test', testPath: path, ...(retry ? { retry } : {}) });
  return parseBlocks(ctx, text, path, [path]);
}

async function produceReplace(ctx: ModeContext, retry?: RetryFeedback): Promise<Produced> {
  const outputs = mainOutputs(ctx.job);
  const { text } = await ctx.ask({ kind: 'generate', outputPaths: outputs, ...(retry ? { retry } : {}) }, ctx.extraContext);
  // Multi-file output: the model may write files the job does not declare (WorkSplit's README
  // asks for it), anywhere in the project that is not protected.
  const parsed = parseBlocks(ctx, text, ctx.job.outputPath);
  if (parsed.ok) {
    const missing = outputs.filter((p) => !parsed.files.some((f) => f.path === p));
    // A job's declared output must be in the answer, even a single one (before, an answer with
    // only another file passed and left the output unwritten for the jobs after it).
    const refuse = decide(() => missing.length > 0 && outputs.length > 1, () => missing.length > 0, ctx.newerAnswerRules);
    if (refuse) return { ok: false, error: `the answer is missing ${missing.join(', ')}`, type: 'NoCodeInAnswer', retryable: true };
  }
  return parsed;
}

/** Sequential and split: one call per file, each seeing the files generated before it. */
async function produceOneByOne(ctx: ModeContext, kind: 'sequential' | 'split', files: string[], retry?: RetryFeedback): Promise<Produced> {
  const done: GeneratedFile[] = [];
  for (let i = 0; i < files.length; i++) {
    const spec: PromptSpec = { kind, file: files[i], previous: [...done], remaining: files.slice(i + 1), ...(retry ? { retry } : {}) };
    const { text } = await ctx.ask(spec, ctx.extraContext);
    // The model often writes the later files of the set too: they are the job's, written by their
    // own calls; this call keeps its own file (before, they failed the job for good as undeclared).
    const parsed = decide(() => parseBlocks(ctx, text, files[i], [files[i]]), () => ownFile(parseBlocks(ctx, text, files[i], files), files[i]), ctx.newerAnswerRules);
    if (!parsed.ok) return { ...parsed, error: `${files[i]}: ${parsed.error}` };
    done.push(...parsed.files);
  }
  return { ok: true, files: done };
}

async function produceEdits(ctx: ModeContext, retry?: RetryFeedback): Promise<Produced> {
  const { text, targets } = await ctx.ask({ kind: 'edit', ...(retry ? { retry } : {}) }, ctx.extraContext);
  const parsed = parseEditBlocks(text, ctx.newerAnswerRules);
  if (!parsed.ok) return { ok: false, error: parsed.error, type: 'NoEditsInAnswer', retryable: true };
  const byPath = Object.fromEntries(targets.map((t) => [t.path, t.content]));
  for (const e of parsed.edits) {
    // Edits may only touch the job's target files; naming another file is refused outright.
    const confined = confineToDeclared([{ path: e.file, content: '' }], targets.map((t) => t.path), ctx.newerNameRules);
    if (!confined.ok) return { ok: false, error: `edit rejected: ${confined.error}`, type: 'PathOutsideProject', retryable: false };
    e.file = confined.files[0].path;
  }
  const outcome = applyEdits(byPath, parsed.edits);
  const files = Object.entries(outcome.changed).map(([path, content]) => ({ path, content }));
  const partial = outcome.partial.failed_edits.length > 0 ? outcome.partial : undefined;
  return { ok: true, files, ...(partial ? { partial } : {}), written: editsWritten(parsed.edits) };
}

async function producePatternInserts(ctx: ModeContext, retry?: RetryFeedback): Promise<Produced> {
  const { text, targets } = await ctx.ask({ kind: 'replace_pattern', ...(retry ? { retry } : {}) }, ctx.extraContext);
  const parsed = parsePatternInserts(text, ctx.newerAnswerRules);
  if (!parsed.ok) return { ok: false, error: parsed.error, type: 'NoCodeInAnswer', retryable: true };
  const files: GeneratedFile[] = [];
  let count = 0;
  for (const t of targets) {
    let r = applyPatternInserts(t.content, parsed.inserts, PATTERN_WORK_BUDGET);
    // Bounded since the patch 'pattern-insertions-bounded'; a job from before ran without bound.
    if (r.tooLarge && ctx.boundedWork && !ctx.boundedWork()) r = applyPatternInserts(t.content, parsed.inserts);
    if (r.tooLarge) return { ok: false, error: `${t.path}: ${r.tooLarge}`, type: 'LimitExceeded', retryable: false };
    count += r.count;
    if (r.count > 0) files.push({ path: t.path, content: r.text });
  }
  if (count === 0) return { ok: false, error: `no line of ${targets.map((t) => t.path).join(', ')} matched the AFTER patterns`, type: 'EditsFailed', retryable: true };
  return { ok: true, files, written: insertsWritten(parsed.inserts) };
}

async function produceFixtures(ctx: ModeContext): Promise<Produced> {
  const { job } = ctx;
  const targets = await ctx.readFiles(job.targetFiles ?? []);
  const files: GeneratedFile[] = [];
  for (const t of targets) {
    const r = addFieldToStructLiterals(t.content, job.structName!, job.newField!);
    if (r.count > 0) files.push({ path: t.path, content: r.text });
  }
  // The field comes from the job file, not from the model: nothing it wrote to limit.
  return { ok: true, files, written: [] };
}

/** Of a set's files in one answer, the one this call asked for. */
function ownFile(parsed: Produced, file: string): Produced {
  if (!parsed.ok) return parsed;
  const own = parsed.files.filter((f) => f.path === file);
  return own.length > 0 ? { ok: true, files: own } : { ok: false, error: `the answer is missing ${file}`, type: 'NoCodeInAnswer', retryable: true };
}

/** The files of an answer; with `declared`, only those may be written. */
function parseBlocks(ctx: ModeContext, text: string, defaultPath: string, declared?: string[]): Produced {
  const parsed = parseGeneratedFiles(text, defaultPath, ctx.newerAnswerRules);
  if (!parsed.ok) return { ok: false, error: parsed.error, type: 'NoCodeInAnswer', retryable: true };
  const confined = declared ? confineToDeclared(parsed.files, declared, ctx.newerNameRules) : confineToProject(parsed.files, ctx.newerNameRules);
  if (!confined.ok) return { ok: false, error: confined.error, type: 'PathOutsideProject', retryable: false };
  return { ok: true, files: confined.files };
}
