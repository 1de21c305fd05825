// A job's run as one object: its progress (phase, attempt, tokens, files written) and the steps
// every mode shares (ask the model, write files, mirror the status, finish or fail).
import {
  ActivityCancellationType,
  ActivityInterfaceFor,
  ActivityOptions,
  ApplicationFailure,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import { STATUS_KEY } from '../core/search-attributes';
import type { LlmActivities } from '../activities';
import type { CallUsage } from '../activities/llm';
import type { JobStepRequest, WrittenBeforeFailure } from '../activities/job-step';
import type { PreparedPrompt } from '../core/prompts';
import { NON_RETRYABLE, commandActivities, fileActivities } from './activity-proxies';
import { declaredOutputs } from '../core/job';
import type { JobSpec } from '../core/job';
import { GeneratedFile, outsideDir } from '../core/output-parse';
import type { PromptSpec, RetryFeedback, SourceFile } from '../core/prompts';
import type { JobStatus, PartialState, StatusUpdate } from '../core/status';
import { addUsage, emptyUsage } from '../core/usage';
import { jobProgressQuery } from './messages';
import { VERDICT_SCHEMA } from '../core/verdict';
import { boundedReason } from '../core/reason';
import { ModeContext, Produced, modeExtraContext } from '../core/modes';
import { FirstAsk, STARTED, askOf } from '../core/job-opening';
import type { JobPhase } from '../core/job-states';
import type { JobInput, JobResult, TokenUsage } from './types';
import type { FailureType } from '../core/failure-types';
import { type WrittenLines, filesWritten, overOutputLines } from '../core/output-lines';
import { decide } from '../core/newer-rules';

type StatusExtra = { error?: string | null; partialState?: PartialState | null; ran?: boolean; writtenFiles?: string[] | null };

/** Since this change a job's file work between two model calls (write the answer's files,
 * mirror the status, prepare the next prompt) is one local activity, `jobStep`: each local
 * activity's end is a workflow activation, so a job takes 7 instead of 10. Jobs that started
 * before keep their separate local activities when they replay. */
const ONE_STEP_PATCH = 'job-file-work-as-one-local-activity';

/** Since this change the load step (`jobStart`) also records the job's opening status and
 * prepares its first prompt (core/job-opening.ts): 6 activations instead of 7. Jobs that started
 * before load with `loadJob` and prepare the prompt in their first `jobStep` when they replay. */
const START_STEP_PATCH = 'job-first-prompt-in-load-step';

/** Since this change written names may not hold ":" and are case-folded through upper case
 * (core/paths.ts). Asked only about an answer's path those rules refuse and the earlier ones
 * allowed, so a job that started before them replays as it ran, and other jobs record nothing. */
const NEWER_NAME_RULES_PATCH = 'written-names-no-colon-full-case-fold';

/** Since this change written names may not hold default-ignorable code points (core/paths.ts
 * NameRules 'unicode-names': ".g\u206ait" is ".git" on HFS+). Asked the same way, only about a
 * path these rules alone refuse. */
const UNICODE_NAME_RULES_PATCH = 'written-names-no-ignorable-code-points';

/** Since this change answers are parsed more strictly: keyword lines of edit and pattern answers
 * are the keyword alone or with ":", a verdict is a verdict word (prose about passing is not), and
 * a replace job's single declared output must be in its answer. Asked only when the earlier rules
 * would decide otherwise (core/newer-rules.ts). */
const NEWER_ANSWER_RULES_PATCH = 'answers-parsed-strictly';

/** Since this change max_output_lines limits what the model wrote (an edit job's edits, a pattern
 * job's insertions), not the file it edited, which may grow past it (core/output-lines.ts). Asked
 * only when the two disagree, so a job refused under the earlier rule replays as it ran. */
const OUTPUT_LINES_PATCH = 'output-lines-count-what-the-model-wrote';

/** Since this change verification calls ask for the verdict as JSON (Ollama's structured output,
 * core/verdict.ts VERDICT_SCHEMA) unless [ollama] verdicts = "text". Jobs that verified before
 * replay with the text verdicts they got. */
const STRUCTURED_VERDICTS_PATCH = 'verdicts-structured';

/** Since this change a text verdict reads "pass" only as a word, never around a question, a
 * condition or a denial (core/verdict.ts). Asked only when the earlier rules decide otherwise. */
const VERDICT_WORDS_PATCH = 'verdict-words';

/** Since this change pattern insertions stop at a work budget (core/patterns.ts): an answer of
 * pairs that double the file held the workflow thread for minutes. */
const BOUNDED_PATTERN_WORK_PATCH = 'pattern-insertions-bounded';

export class JobRun {
  phase: JobPhase = 'starting';
  attempt = 1;
  tokens: TokenUsage = emptyUsage();
  outputs: string[] = [];
  /** Undefined until loaded (and when the job file failed to load). */
  job?: JobSpec;
  readonly files: ReturnType<typeof fileActivities>;
  readonly commands: ReturnType<typeof commandActivities>;
  private readonly llmOptions: ActivityOptions;
  private readonly llm: ActivityInterfaceFor<LlmActivities>;
  private statusWrites: Promise<unknown> = Promise.resolve();
  private readonly oneStep: boolean;
  /** With oneStep: the files and statuses the next step writes, in order. */
  private pendingWrite: GeneratedFile[] = [];
  private pendingStatus: StatusUpdate[] = [];
  private readonly startStep: boolean;
  /** With startStep: the status the load step recorded and the prompt it prepared, until the
   * job gets to them. */
  private statusAhead?: JobStatus;
  private promptAhead?: { ask: FirstAsk; prepared: PreparedPrompt };
  /** The first prompt of this job over 80% of max_prompt_tokens: a warning, never a refusal. */
  private promptWarning?: string;

  constructor(readonly input: JobInput) {
    const { settings } = input;
    this.files = fileActivities(settings);
    this.commands = commandActivities(settings, input.queues);
    this.llmOptions = {
      taskQueue: input.queues.llm,
      startToCloseTimeout: `${settings.llm.timeoutSeconds}s`,
      heartbeatTimeout: `${settings.heartbeatSeconds}s`,
      // Wait for the activity to confirm, so its stream is known to be aborted when the job ends.
      cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
      retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 5, nonRetryableErrorTypes: NON_RETRYABLE },
    };
    this.llm = proxyActivities<LlmActivities>(this.llmOptions);
    setHandler(jobProgressQuery, () => ({ phase: this.phase, attempt: this.attempt, tokens: this.tokens }));
    this.oneStep = patched(ONE_STEP_PATCH);
    this.startStep = this.oneStep && patched(START_STEP_PATCH);
  }

  get root(): string {
    return this.input.project.root;
  }

  get settings() {
    return this.input.settings;
  }

  enter(p: JobPhase, detail: string): void {
    this.phase = p;
    setCurrentDetails(`${p}${this.attempt > 1 ? ' (retry with feedback)' : ''}: ${detail}`);
  }

  async load(): Promise<JobSpec> {
    const { input, settings } = this;
    const request = { root: this.root, id: input.jobId, maxContextFiles: settings.limits.maxContextFiles };
    if (!this.startStep) return (this.job = await this.files.loadJob(request));
    const open = { statusFields: STARTED, dependencyOutputs: input.dependencyOutputs, limits: settings.limits };
    const started = await this.files.jobStart({ ...request, ...(input.fixOnly ? {} : { open }) });
    const { status, ask, prepared } = started.opened ?? {};
    this.statusAhead = status;
    if (ask && prepared) this.promptAhead = { ask, prepared };
    return (this.job = started.job);
  }

  // Intermediate statuses (pending_work, pending_verification, ...) mirror progress into the
  // status file; the job does not wait for them, so each runs beside the next step's local
  // activity and saves a workflow activation. Each is scheduled at once (commands keep their
  // order, and the status store applies changes in the order they arrive); the final status waits
  // for all of them. A mirror write that fails for good is not a job failure; the final write
  // reports the same problem if it persists.
  // With oneStep, they wait for the job's next step instead (the next prompt, a command, the end).
  status(s: JobStatus, extra: StatusExtra = {}): void {
    if (this.statusAhead !== undefined && this.statusAhead === s && extra === STARTED) {
      this.statusAhead = undefined;
      return;
    }
    if (this.oneStep) {
      this.pendingStatus.push({ id: this.input.jobId, status: s, ...extra });
      return;
    }
    this.statusWrites = Promise.all([this.statusWrites, this.record(s, extra)]).catch(() => undefined);
  }

  /** What a mode needs: one model call per prompt, and reading files. */
  context(): ModeContext {
    const job = this.job!;
    return { job, extraContext: modeExtraContext(job), ask: (spec, extra) => this.ask(spec, extra), readFiles: (paths) => this.readFiles(paths), newerNameRules: this.newerNameRules, newerAnswerRules: this.newerAnswerRules, boundedWork: this.boundedWork };
  }

  readonly newerNameRules = (since?: 'unicode-names'): boolean => patched(since === 'unicode-names' ? UNICODE_NAME_RULES_PATCH : NEWER_NAME_RULES_PATCH);
  readonly newerAnswerRules = (): boolean => patched(NEWER_ANSWER_RULES_PATCH);
  /** Asked only when pattern insertions reach their work budget (core/patterns.ts). */
  readonly boundedWork = (): boolean => patched(BOUNDED_PATTERN_WORK_PATCH);
  readonly verdictRules = { strict: this.newerAnswerRules, words: (): boolean => patched(VERDICT_WORDS_PATCH) };

  /** Whether this verification asks for a structured verdict (see STRUCTURED_VERDICTS_PATCH). */
  structuredVerdicts(): boolean {
    return this.settings.llm.verdicts !== 'text' && patched(STRUCTURED_VERDICTS_PATCH);
  }

  async ask(spec: PromptSpec, extraContext?: string[]): Promise<{ text: string; targets: SourceFile[] }> {
    const { input, settings } = this;
    const job = this.job!;
    const request = { job, dependencyOutputs: input.dependencyOutputs, limits: settings.limits, spec, ...(extraContext?.length ? { extraContext } : {}) };
    const prepared = this.preparedAhead(spec, extraContext) ?? (this.oneStep ? (await this.step({ prompt: request })).prepared! : await this.files.preparePrompt({ root: this.root, ...request }));
    this.promptWarning ??= prepared.warnings[0];
    // The summary names the call in the Web UI: "generate src/x.ts with qwen3".
    const summary = `${spec.kind} ${summaryTargets(spec, job).join(', ')} with ${settings.llm.model}`.slice(0, 200);
    const format = spec.kind === 'verify' && spec.structured ? { format: { ...VERDICT_SCHEMA } } : {};
    const answer = await this.llm.llmChat.executeWithOptions({ ...this.llmOptions, summary }, [{ llm: settings.llm, prompt: prepared.prompt, kind: spec.kind, ...format }]).catch((e: unknown) => {
      // A call whose answer was refused (cut at a limit, too long) still ran: its tokens count.
      const used = refusedCallUsage(e);
      if (used) this.tokens = addUsage(this.tokens, { calls: 1, ...used });
      throw e;
    });
    this.tokens = addUsage(this.tokens, { calls: 1, promptTokens: answer.promptTokens, outputTokens: answer.outputTokens, modelMs: answer.modelMs });
    return { text: answer.text, targets: prepared.targets };
  }

  async readFiles(paths: string[]) {
    if (this.pendingWrite.length > 0) await this.step();
    return this.files.readProjectFiles({ root: this.root, paths, maxLines: this.settings.limits.maxContextLines });
  }

  /** Write files; `modelWrote` is what the model wrote when it is not the files themselves (an
   * in-place mode's edits or insertions), which is what max_output_lines limits. */
  async write(generated: GeneratedFile[], modelWrote?: WrittenLines[]): Promise<void> {
    const max = this.settings.limits.maxOutputLines;
    const byFiles = () => overOutputLines(filesWritten(generated), max);
    const tooLong = decide(byFiles, () => (modelWrote ? overOutputLines(modelWrote, max) : byFiles()), () => patched(OUTPUT_LINES_PATCH));
    if (tooLong) return this.fail('LimitExceeded', tooLong);
    if (generated.length === 0) return;
    this.enter('writing', generated.map((f) => f.path).join(', '));
    if (this.oneStep) {
      // Written by the next step, before it reads anything.
      this.pendingWrite.push(...generated);
      return;
    }
    const written = await this.files.writeOutputs({ root: this.root, files: generated, createDirs: this.settings.createOutputDirs });
    this.outputs = [...new Set([...this.outputs, ...written])];
  }

  /** Run a mode step with its one retry on an unusable answer. */
  async produceWithRetry(step: (retry?: RetryFeedback) => Promise<Produced>, retry?: RetryFeedback): Promise<Extract<Produced, { ok: true }>> {
    let r = await step(retry);
    if (!r.ok && r.retryable && this.attempt === 1) {
      this.attempt = 2;
      r = await step({ reason: `your answer could not be used: ${r.error}`, previous: [] });
    }
    if (!r.ok) return this.fail(r.type, r.error);
    return r;
  }

  async finish(s: 'pass' | 'fail' | 'partial', reason?: string, partial?: PartialState): Promise<JobResult> {
    const { input, outputs } = this;
    this.phase = 'done';
    await this.statusWrites;
    // Every file this run wrote, declared or not (multi-file answers), in the status file too.
    const final = (written: string[]): StatusExtra => ({ error: s === 'pass' ? null : reason ?? 'failed', partialState: partial ?? null, ...(written.length > 0 && !input.fixOnly ? { writtenFiles: written } : {}) });
    if (this.oneStep) {
      // The step writes the pending files first: the status names them too.
      const written = [...new Set([...outputs, ...this.pendingWrite.map((f) => f.path)])];
      await this.step({ finalStatus: { id: input.jobId, status: s, ...final(written) } });
    } else {
      await this.record(s, final(outputs));
    }
    if (input.searchAttributes) upsertSearchAttributes([{ key: STATUS_KEY, value: s }]);
    setCurrentDetails(s === 'pass' ? `passed${reason ? ` with warnings: ${reason}` : ''}` : `${s === 'partial' ? 'partial' : 'failed'}: ${reason}`);
    const warnings = [...(this.promptWarning ? [this.promptWarning] : []), ...this.outsideOutputDir()];
    return { id: input.jobId, status: s, outputs: this.outputs, retried: this.attempt > 1, tokens: this.tokens, ...(reason ? { reason } : {}), ...(warnings.length > 0 ? { warnings } : {}) };
  }

  /** Record the failure, then fail the workflow with a typed failure carrying the result, so the
   * Web UI shows the job as failed with the human reason and the batch gets the details. */
  async fail(type: FailureType, why: string, partial?: PartialState): Promise<never> {
    const reason = boundedReason(why);
    const result = await this.finish(partial ? 'partial' : 'fail', reason, partial);
    throw ApplicationFailure.create({ type, message: reason, nonRetryable: true, details: [result] });
  }

  /** Write what is pending before a step that needs it on disk (a command, reading files). */
  async flush(): Promise<void> {
    if (this.pendingWrite.length > 0 || this.pendingStatus.length > 0) await this.step();
  }

  /** The first prompt, when the load step prepared exactly this one and nothing waits to be
   * written before it. Asked once: later prompts are prepared by their own step. */
  private preparedAhead(spec: PromptSpec, extraContext?: string[]): PreparedPrompt | undefined {
    const ahead = this.promptAhead;
    this.promptAhead = undefined;
    if (!ahead || this.pendingWrite.length > 0 || this.pendingStatus.length > 0) return undefined;
    return JSON.stringify(ahead.ask) === JSON.stringify(askOf(spec, extraContext)) ? ahead.prepared : undefined;
  }

  /** One jobStep local activity: the pending files, the pending statuses, then `extra`. */
  private async step(extra: Pick<JobStepRequest, 'prompt' | 'finalStatus'> = {}) {
    const write = this.pendingWrite;
    const status = this.pendingStatus;
    this.pendingWrite = [];
    this.pendingStatus = [];
    const result = await this.files
      .jobStep({
        root: this.root,
        ...(write.length > 0 ? { write: { files: write, createDirs: this.settings.createOutputDirs } } : {}),
        ...(status.length > 0 ? { status } : {}),
        ...extra,
      })
      .catch((e: unknown) => {
        // Files the step wrote before it failed are the job's, named in its status and summary.
        this.outputs = [...new Set([...this.outputs, ...writtenBeforeFailure(e)])];
        throw e;
      });
    this.outputs = [...new Set([...this.outputs, ...result.written])];
    return result;
  }

  private record(s: JobStatus, extra: StatusExtra = {}) {
    return this.files.recordStatus({ root: this.root, updates: [{ id: this.input.jobId, status: s, ...extra }] });
  }

  /** Files the model chose to write (not declared) outside the job's output_dir: worth a look. */
  private outsideOutputDir(): string[] {
    if (this.job === undefined) return [];
    const declared = new Set(declaredOutputs(this.job));
    const stray = outsideDir(this.outputs.filter((p) => !declared.has(p)), this.job.outputDir);
    return stray.length > 0 ? [`wrote ${stray.join(', ')}, outside its output_dir ${this.job.outputDir}`] : [];
  }
}

function refusedCallUsage(e: unknown): CallUsage | undefined {
  for (let c = e as { cause?: unknown } | undefined; c; c = c.cause as typeof c) {
    if (c instanceof ApplicationFailure) {
      const u = (c.details?.[0] as { usage?: CallUsage } | undefined)?.usage;
      if (u && typeof u.promptTokens === 'number' && typeof u.outputTokens === 'number') return { promptTokens: u.promptTokens, outputTokens: u.outputTokens, modelMs: typeof u.modelMs === 'number' ? u.modelMs : 0 };
    }
  }
  return undefined;
}

function writtenBeforeFailure(e: unknown): string[] {
  for (let c = e as { cause?: unknown } | undefined; c; c = c.cause as typeof c) {
    if (c instanceof ApplicationFailure) {
      const d = c.details?.[0] as Partial<WrittenBeforeFailure> | undefined;
      if (Array.isArray(d?.writtenBeforeFailure)) return d.writtenBeforeFailure.filter((p): p is string => typeof p === 'string');
    }
  }
  return [];
}

function summaryTargets(spec: PromptSpec, job: JobSpec): string[] {
  switch (spec.kind) {
    case 'generate':
      return spec.outputPaths;
    case 'sequential':
    case 'split':
      return [spec.file];
    case 'test':
      return [spec.testPath];
    case 'verify':
      return spec.generated.map((f) => f.path);
    case 'fix':
      return spec.files.map((f) => f.path);
    case 'edit':
    case 'replace_pattern':
      return job.targetFiles?.length ? job.targetFiles : [job.outputPath];
  }
}


