// One job as its own workflow (one row in the Web UI): its mode produces the files (modes.ts),
// then the steps every mode shares: write, verify with the model, one retry with the verifier's
// feedback, build/test checks with auto-fix, final status. Deterministic: every side effect is
// an activity.
import {
  ActivityCancellationType,
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  proxyActivities,
  setCurrentDetails,
  setHandler,
} from '@temporalio/workflow';
import type { FileActivities, LlmActivities } from '../activities';
import type { JobSpec } from '../core/job';
import { GeneratedFile, parseGeneratedFiles, confineToDeclared } from '../core/output-parse';
import type { PromptSpec, RetryFeedback } from '../core/prompts';
import type { JobStatus, PartialState } from '../core/status';
import { addUsage, emptyUsage } from '../core/usage';
import { parseVerdict } from '../core/verdict';
import { jobProgressQuery } from './messages';
import { ModeContext, Produced, isInPlaceMode, produce, produceTests, testPath } from './modes';
import type { JobInput, JobPhase, JobResult, TokenUsage } from './types';

/** Failure types a retry of the activity cannot fix. */
export const NON_RETRYABLE = ['InvalidJob', 'InvalidProject', 'PathOutsideProject', 'LimitExceeded', 'StatusFileCorrupt', 'ModelNotFound'];

export async function jobWorkflow(input: JobInput): Promise<JobResult> {
  const { project, settings, jobId } = input;
  const root = project.root;
  const files = proxyActivities<FileActivities>({
    taskQueue: input.queues.project,
    startToCloseTimeout: `${settings.fileActivitySeconds}s`,
    retry: { initialInterval: '200ms', maximumInterval: '10s', maximumAttempts: 10, nonRetryableErrorTypes: NON_RETRYABLE },
  });
  const commands = proxyActivities<FileActivities>({
    taskQueue: input.queues.project,
    startToCloseTimeout: `${settings.checks.commandTimeoutSeconds + 30}s`,
    retry: { maximumAttempts: 2, nonRetryableErrorTypes: NON_RETRYABLE },
  });
  const llm = proxyActivities<LlmActivities>({
    taskQueue: input.queues.llm,
    startToCloseTimeout: `${settings.llm.timeoutSeconds}s`,
    heartbeatTimeout: `${settings.heartbeatSeconds}s`,
    // Wait for the activity to confirm, so its stream is known to be aborted when the job ends.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 5, nonRetryableErrorTypes: NON_RETRYABLE },
  });

  let phase: JobPhase = 'starting';
  let attempt = 1;
  let tokens: TokenUsage = emptyUsage();
  let outputs: string[] = [];
  setHandler(jobProgressQuery, () => ({ phase, attempt, tokens }));
  const enter = (p: JobPhase, detail: string) => {
    phase = p;
    setCurrentDetails(`${p}${attempt > 1 ? ' (retry with feedback)' : ''}: ${detail}`);
  };
  const status = (s: JobStatus, extra: { error?: string | null; partialState?: PartialState | null; ran?: boolean } = {}) =>
    files.recordStatus({ root, updates: [{ id: jobId, status: s, ...extra }] });

  let job: JobSpec;
  const ctx = (): ModeContext => ({
    job,
    extraContext: testPath(job) ? [testPath(job)!] : [],
    ask: async (spec: PromptSpec, extraContext?: string[]) => {
      const prepared = await files.preparePrompt({ root, job, dependencyOutputs: input.dependencyOutputs, limits: settings.limits, spec, ...(extraContext?.length ? { extraContext } : {}) });
      const answer = await llm.llmChat({ llm: settings.llm, prompt: prepared.prompt });
      tokens = addUsage(tokens, { calls: 1, promptTokens: answer.promptTokens, outputTokens: answer.outputTokens, modelMs: answer.modelMs });
      return { text: answer.text, targets: prepared.targets };
    },
    readFiles: (paths) => files.readProjectFiles({ root, paths, maxLines: settings.limits.maxContextLines }),
  });

  const finish = async (s: 'pass' | 'fail' | 'partial', reason?: string, partial?: PartialState): Promise<JobResult> => {
    phase = 'done';
    await status(s, { error: s === 'pass' ? null : reason ?? 'failed', partialState: partial ?? null });
    setCurrentDetails(s === 'pass' ? `passed${reason ? ` with warnings: ${reason}` : ''}` : `${s === 'partial' ? 'partial' : 'failed'}: ${reason}`);
    return { id: jobId, status: s, outputs, retried: attempt > 1, tokens, ...(reason ? { reason } : {}) };
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
    const test = testPath(job);
    if (test) {
      // TDD: the tests first, then the implementation with the tests as context.
      await status('pending_test', { ran: true, error: null, partialState: null });
      enter('testing', test);
      const tests = await produceWithRetry((retry) => produceTests(ctx(), retry));
      await write(tests.files);
      attempt = 1;
    }
    await status('pending_work', { ran: true, error: null, partialState: null });
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
      await status('pending_verification');
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
      await status('pending_work');
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
    const checks: Array<{ name: 'build' | 'test'; command?: string; enabled: boolean }> = [
      { name: 'build', command: c.buildCommand, enabled: c.verifyBuild },
      { name: 'test', command: c.testCommand, enabled: c.verifyTests },
    ];
    for (const check of checks) {
      if (!check.enabled || !check.command) continue;
      if (check.name === 'test') await status('pending_test_run');
      for (let fix = 0; ; fix++) {
        enter(check.name === 'build' ? 'building' : 'running tests', check.command);
        const r = await commands.runProjectCommand({ root, command: check.command, timeoutSeconds: c.commandTimeoutSeconds });
        if (r.ok) break;
        if (!c.autoFix || fix >= c.autoFixAttempts) {
          return fail(check.name === 'build' ? 'BuildFailed' : 'TestsFailed', `${check.name} command failed (${r.timedOut ? 'timed out' : `exit ${r.exitCode}`})${fix > 0 ? ` after ${fix} auto-fix attempt(s)` : ''}: ${check.command}\n${r.output}`);
        }
        enter('fixing', `${check.name} output`);
        const current = await files.readProjectFiles({ root, paths: outputs, maxLines: settings.limits.maxContextLines });
        const { text } = await ctx().ask({ kind: 'fix', command: check.command, output: r.output, files: current });
        const parsed = parseGeneratedFiles(text, job.outputPath);
        const confined = parsed.ok ? confineToDeclared(parsed.files, outputs) : parsed;
        if (!confined.ok) continue; // an unusable fix counts as an attempt; the command runs again
        await write(confined.files);
      }
    }
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
