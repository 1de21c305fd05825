// One job as its own workflow (one row in the Web UI): its mode produces the files (modes.ts),
// then the steps every mode shares: write, verify with the model, one retry with the verifier's
// feedback, build/test checks with auto-fix, final status. Deterministic: every side effect is
// an activity.
import {
  ActivityCancellationType,
  ActivityOptions,
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import { STATUS_KEY } from '../core/search-attributes';
import type { LlmActivities } from '../activities';
import { NON_RETRYABLE, commandActivities, fileActivities } from './activity-proxies';
import { commandOnFiles, declaredOutputs } from '../core/job';
import type { JobSpec } from '../core/job';
import { GeneratedFile, parseGeneratedFiles, confineToDeclared, outsideDir } from '../core/output-parse';
import type { PromptSpec, RetryFeedback } from '../core/prompts';
import type { JobStatus, PartialState } from '../core/status';
import { addUsage, emptyUsage } from '../core/usage';
import { parseVerdict } from '../core/verdict';
import { jobProgressQuery } from './messages';
import { ModeContext, Produced, isInPlaceMode, produce, produceTests, testPath } from './modes';
import type { JobInput, JobPhase, JobResult, TokenUsage } from './types';


export async function jobWorkflow(input: JobInput): Promise<JobResult> {
  const { project, settings, jobId } = input;
  const root = project.root;
  const files = fileActivities(settings);
  const commands = commandActivities(settings, input.queues);
  const llmOptions: ActivityOptions = {
    taskQueue: input.queues.llm,
    startToCloseTimeout: `${settings.llm.timeoutSeconds}s`,
    heartbeatTimeout: `${settings.heartbeatSeconds}s`,
    // Wait for the activity to confirm, so its stream is known to be aborted when the job ends.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 5, nonRetryableErrorTypes: NON_RETRYABLE },
  };
  const llm = proxyActivities<LlmActivities>(llmOptions);

  let phase: JobPhase = 'starting';
  let attempt = 1;
  let tokens: TokenUsage = emptyUsage();
  let outputs: string[] = [];
  setHandler(jobProgressQuery, () => ({ phase, attempt, tokens }));
  const enter = (p: JobPhase, detail: string) => {
    phase = p;
    setCurrentDetails(`${p}${attempt > 1 ? ' (retry with feedback)' : ''}: ${detail}`);
  };
  type StatusExtra = { error?: string | null; partialState?: PartialState | null; ran?: boolean; writtenFiles?: string[] | null };
  const record = (s: JobStatus, extra: StatusExtra = {}) => files.recordStatus({ root, updates: [{ id: jobId, status: s, ...extra }] });
  // Intermediate statuses (pending_work, pending_verification, ...) mirror progress into the
  // status file; the job does not wait for them, so each runs beside the next step's local
  // activity and saves a workflow activation. Each is scheduled at once (commands keep their
  // order, and the status store applies changes in the order they arrive); the final status waits
  // for all of them. A mirror write that fails for good is not a job failure; the final write
  // reports the same problem if it persists.
  let statusWrites: Promise<unknown> = Promise.resolve();
  const status = (s: JobStatus, extra: StatusExtra = {}): void => {
    statusWrites = Promise.all([statusWrites, record(s, extra)]).catch(() => undefined);
  };

  let job: JobSpec;
  const ctx = (): ModeContext => ({
    job,
    extraContext: testPath(job) ? [testPath(job)!] : [],
    ask: async (spec: PromptSpec, extraContext?: string[]) => {
      const prepared = await files.preparePrompt({ root, job, dependencyOutputs: input.dependencyOutputs, limits: settings.limits, spec, ...(extraContext?.length ? { extraContext } : {}) });
      // The summary names the call in the Web UI: "generate src/x.ts with qwen3".
      const summary = `${spec.kind} ${summaryTargets(spec, job).join(', ')} with ${settings.llm.model}`.slice(0, 200);
      const answer = await llm.llmChat.executeWithOptions({ ...llmOptions, summary }, [{ llm: settings.llm, prompt: prepared.prompt }]);
      tokens = addUsage(tokens, { calls: 1, promptTokens: answer.promptTokens, outputTokens: answer.outputTokens, modelMs: answer.modelMs });
      return { text: answer.text, targets: prepared.targets };
    },
    readFiles: (paths) => files.readProjectFiles({ root, paths, maxLines: settings.limits.maxContextLines }),
  });

  const finish = async (s: 'pass' | 'fail' | 'partial', reason?: string, partial?: PartialState): Promise<JobResult> => {
    phase = 'done';
    await statusWrites;
    // Every file this run wrote, declared or not (multi-file answers), in the status file too.
    await record(s, { error: s === 'pass' ? null : reason ?? 'failed', partialState: partial ?? null, ...(outputs.length > 0 && !input.fixOnly ? { writtenFiles: outputs } : {}) });
    if (input.searchAttributes) upsertSearchAttributes([{ key: STATUS_KEY, value: s }]);
    setCurrentDetails(s === 'pass' ? `passed${reason ? ` with warnings: ${reason}` : ''}` : `${s === 'partial' ? 'partial' : 'failed'}: ${reason}`);
    const warnings = outsideOutputDir();
    return { id: jobId, status: s, outputs, retried: attempt > 1, tokens, ...(reason ? { reason } : {}), ...(warnings.length > 0 ? { warnings } : {}) };
  };
  /** Files the model chose to write (not declared) outside the job's output_dir: worth a look. */
  const outsideOutputDir = (): string[] => {
    const loaded = job as JobSpec | undefined; // undefined when the job file failed to load
    if (loaded === undefined) return [];
    const declared = new Set(declaredOutputs(loaded));
    const stray = outsideDir(outputs.filter((p) => !declared.has(p)), loaded.outputDir);
    return stray.length > 0 ? [`wrote ${stray.join(', ')}, outside its output_dir ${loaded.outputDir}`] : [];
  };
  // Record the failure, then fail the workflow with a typed failure carrying the result, so the
  // Web UI shows the job as failed with the human reason and the batch gets the details.
  const fail = async (type: string, reason: string, partial?: PartialState): Promise<never> => {
    const result = await finish(partial ? 'partial' : 'fail', reason, partial);
    throw ApplicationFailure.create({ type, message: reason, nonRetryable: true, details: [result] });
  };
  const write = async (generated: GeneratedFile[]) => {
    const tooLong = generated.find((f) => lineCount(f.content) > settings.limits.maxOutputLines);
    if (tooLong) return fail('LimitExceeded', `${tooLong.path} has ${lineCount(tooLong.content)} lines, over max_output_lines (${settings.limits.maxOutputLines})`);
    if (generated.length === 0) return;
    enter('writing', generated.map((f) => f.path).join(', '));
    const written = await files.writeOutputs({ root, files: generated, createDirs: settings.createOutputDirs });
    outputs = [...new Set([...outputs, ...written])];
  };
  /** Run a mode step with its one retry on an unusable answer. */
  const produceWithRetry = async (step: (retry?: RetryFeedback) => Promise<Produced>, retry?: RetryFeedback): Promise<Extract<Produced, { ok: true }>> => {
    let r = await step(retry);
    if (!r.ok && r.retryable && attempt === 1) {
      attempt = 2;
      r = await step({ reason: `your answer could not be used: ${r.error}`, previous: [] });
    }
    if (!r.ok) return fail(r.type, r.error);
    return r;
  };

  try {
    job = await files.loadJob({ root, id: jobId, maxContextFiles: settings.limits.maxContextFiles });
    if (input.fixOnly) {
      // fix / fix-all: no generation; lint the job's outputs and let the model fix them.
      outputs = declaredOutputs(job);
      await runCheck('lint', settings.checks.lintCommand && commandOnFiles(settings.checks.lintCommand, outputs), true);
      return await finish('pass');
    }
    const test = testPath(job);
    if (test) {
      // TDD: the tests first, then the implementation with the tests as context.
      status('pending_test', { ran: true, error: null, partialState: null, writtenFiles: null });
      enter('testing', test);
      const tests = await produceWithRetry((retry) => produceTests(ctx(), retry));
      await write(tests.files);
      attempt = 1;
    }
    status('pending_work', { ran: true, error: null, partialState: null, writtenFiles: null });
    let retry: RetryFeedback | undefined;
    let produced: Extract<Produced, { ok: true }>;
    const appliedEdits: string[] = [];
    let warnings: string | undefined;
    for (;;) {
      enter('generating', job.outputFiles?.join(', ') ?? job.targetFiles?.join(', ') ?? job.outputPath);
      produced = await produceWithRetry((r) => produce(ctx(), r), retry);
      await write(produced.files);
      if (produced.partial) {
        appliedEdits.push(...produced.partial.successful_edits);
        const failedEdits = describeFailedEdits(produced.partial);
        if (attempt === 1) {
          // Some edits did not apply: one retry with what failed, from the files as they are now.
          attempt = 2;
          retry = { reason: `these edits did not apply: ${failedEdits}`, previous: [] };
          continue;
        }
        const n = produced.partial.failed_edits.length;
        // Nothing applied at all is a plain failure; some applied is WorkSplit's "partial".
        if (appliedEdits.length === 0) return await fail('EditsFailed', `no edit applied: ${failedEdits}`);
        return await fail('EditsPartiallyApplied', `${n} edit(s) did not apply: ${failedEdits}`, { successful_edits: appliedEdits, failed_edits: produced.partial.failed_edits });
      }
      if (!job.verify || produced.files.length === 0) break;
      status('pending_verification');
      enter('verifying', produced.files.map((f) => f.path).join(', '));
      const { text } = await ctx().ask({ kind: 'verify', generated: produced.files, edit: isInPlaceMode(job) }, ctx().extraContext);
      const verdict = parseVerdict(text);
      if (verdict.passed) {
        warnings = verdict.kind === 'PASS_WITH_WARNINGS' ? verdict.reason || undefined : undefined;
        break;
      }
      const reason = `${verdict.kind}${verdict.reason ? `: ${verdict.reason}` : ''}`;
      if (attempt === 2) return await fail('VerificationFailed', `verification failed after the retry: ${reason}`);
      attempt = 2;
      retry = { reason, previous: produced.files };
      status('pending_work');
    }
    await runChecks();
    return await finish('pass', warnings);
  } catch (err) {
    if (isCancellation(err)) throw err;
    if (err instanceof ApplicationFailure && (err.details?.[0] as JobResult | undefined)?.id === jobId) throw err;
    const cause = rootCause(err);
    return await CancellationScope.nonCancellable(() => fail(cause.type ?? 'JobFailed', cause.message));
  }

  /** verify_build then verify_tests: run the command; with auto_fix, let the model fix the files. */
  async function runChecks(): Promise<void> {
    const c = settings.checks;
    if (c.verifyBuild) await runCheck('build', c.buildCommand, c.autoFix);
    if (c.verifyTests && c.testCommand) {
      status('pending_test_run');
      await runCheck('test', c.testCommand, c.autoFix);
    }
  }

  async function runCheck(name: 'build' | 'test' | 'lint', command: string | undefined, autoFix: boolean): Promise<void> {
    if (!command) {
      if (name === 'lint') await fail('InvalidProject', 'no [build] lint_command in worksplit.toml to check the files with');
      return;
    }
    const c = settings.checks;
    const attempts = name === 'lint' ? Math.max(1, c.autoFixAttempts) : c.autoFixAttempts;
    for (let fix = 0; ; fix++) {
      enter(name === 'build' ? 'building' : name === 'test' ? 'running tests' : 'fixing', command);
      const r = await commands.runProjectCommand({ root, command, timeoutSeconds: c.commandTimeoutSeconds });
      if (r.ok) return;
      if (!autoFix || fix >= attempts) {
        await fail(name === 'build' ? 'BuildFailed' : name === 'test' ? 'TestsFailed' : 'LintFailed', `${name} command failed (${r.timedOut ? 'timed out' : `exit ${r.exitCode}`})${fix > 0 ? ` after ${fix} auto-fix attempt(s)` : ''}: ${command}\n${r.output}`);
      }
      enter('fixing', `${name} output`);
      const current = await files.readProjectFiles({ root, paths: outputs, maxLines: settings.limits.maxContextLines });
      const { text } = await ctx().ask({ kind: 'fix', command, output: r.output, files: current });
      const parsed = parseGeneratedFiles(text, job.outputPath);
      const confined = parsed.ok ? confineToDeclared(parsed.files, outputs) : parsed;
      if (confined.ok) await write(confined.files); // an unusable fix counts as an attempt
    }
  }
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

function describeFailedEdits(p: PartialState): string {
  return p.failed_edits.map((f) => `${f.file} "${f.find_preview}": ${f.reason}${f.suggested_line ? ` (near line ${f.suggested_line})` : ''}`).join('; ');
}

function lineCount(s: string): number {
  return s.split('\n').length - (s.endsWith('\n') ? 1 : 0);
}

function rootCause(err: unknown): { type?: string; message: string } {
  let e = err as { cause?: unknown; message?: string; type?: string } | undefined;
  while (e && e.cause) e = e.cause as typeof e;
  return { type: e?.type, message: e?.message ?? String(err) };
}
