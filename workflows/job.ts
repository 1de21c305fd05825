// One job as its own workflow (one row in the Web UI): replace mode with verification and the
// single retry with the verifier's feedback. Deterministic: every side effect is an activity.
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
import { declaredOutputs } from '../core/job';
import type { JobSpec } from '../core/job';
import { GeneratedFile, confineToDeclared, parseGeneratedFiles } from '../core/output-parse';
import { addUsage, emptyUsage } from '../core/usage';
import { parseVerdict } from '../core/verdict';
import { jobProgressQuery } from './messages';
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
  setHandler(jobProgressQuery, () => ({ phase, attempt, tokens }));
  const enter = (p: JobPhase, detail: string) => {
    phase = p;
    setCurrentDetails(`${p}${attempt > 1 ? ' (retry with feedback)' : ''}: ${detail}`);
  };

  let job: JobSpec | undefined;
  let outputs: string[] = [];
  const finish = async (status: 'pass' | 'fail', reason?: string): Promise<JobResult> => {
    phase = 'done';
    await files.recordStatus({ root, updates: [{ id: jobId, status, error: status === 'fail' ? reason ?? 'failed' : null }] });
    setCurrentDetails(status === 'pass' ? `passed${reason ? ` with warnings: ${reason}` : ''}` : `failed: ${reason}`);
    return { id: jobId, status, outputs, retried: attempt > 1, tokens, ...(reason ? { reason } : {}) };
  };

  try {
    job = await files.loadJob({ root, id: jobId, maxContextFiles: settings.limits.maxContextFiles });
    const declared = declaredOutputs(job);
    await files.recordStatus({ root, updates: [{ id: jobId, status: 'pending_work', ran: true, error: null, partialState: null }] });
    let retry: { reason: string; previous: GeneratedFile[] } | undefined;
    for (;;) {
      enter('generating', declared.join(', '));
      const prepared = await files.prepareGenerationPrompt({
        root, job, dependencyOutputs: input.dependencyOutputs, limits: settings.limits, outputPaths: declared, retry,
      });
      const answer = await llm.llmChat({ llm: settings.llm, prompt: prepared.prompt });
      tokens = addUsage(tokens, { calls: 1, promptTokens: answer.promptTokens, outputTokens: answer.outputTokens, modelMs: answer.modelMs });

      const parsed = parseGeneratedFiles(answer.text, job.outputPath);
      if (!parsed.ok) {
        // An unusable answer gets the same one retry with feedback as a failed verification.
        if (attempt === 1) {
          attempt = 2;
          retry = { reason: `your answer could not be used: ${parsed.error}`, previous: [] };
          continue;
        }
        return await fail('NoCodeInAnswer', parsed.error);
      }
      const confined = confineToDeclared(parsed.files, declared);
      if (!confined.ok) return await fail('PathOutsideProject', confined.error);
      const tooLong = confined.files.find((f) => f.content.split('\n').length - 1 > settings.limits.maxOutputLines);
      if (tooLong) {
        return await fail('LimitExceeded', `${tooLong.path} has ${tooLong.content.split('\n').length - 1} lines, over max_output_lines (${settings.limits.maxOutputLines})`);
      }
      enter('writing', confined.files.map((f) => f.path).join(', '));
      outputs = await files.writeOutputs({ root, files: confined.files, createDirs: settings.createOutputDirs });
      if (!job.verify) return await finish('pass');

      await files.recordStatus({ root, updates: [{ id: jobId, status: 'pending_verification' }] });
      enter('verifying', outputs.join(', '));
      const vPrompt = await files.prepareVerificationPrompt({ root, job, dependencyOutputs: input.dependencyOutputs, limits: settings.limits, generated: confined.files });
      const vAnswer = await llm.llmChat({ llm: settings.llm, prompt: vPrompt.prompt });
      tokens = addUsage(tokens, { calls: 1, promptTokens: vAnswer.promptTokens, outputTokens: vAnswer.outputTokens, modelMs: vAnswer.modelMs });
      const verdict = parseVerdict(vAnswer.text);
      if (verdict.passed) return await finish('pass', verdict.kind === 'PASS_WITH_WARNINGS' ? verdict.reason || undefined : undefined);
      const reason = `${verdict.kind}${verdict.reason ? `: ${verdict.reason}` : ''}`;
      if (attempt === 2) return await fail('VerificationFailed', `verification failed after the retry: ${reason}`);
      attempt = 2;
      retry = { reason, previous: confined.files };
      await files.recordStatus({ root, updates: [{ id: jobId, status: 'pending_work' }] });
    }
  } catch (err) {
    if (isCancellation(err)) throw err;
    if (err instanceof ApplicationFailure && err.details?.[0] && (err.details[0] as JobResult).id === jobId) throw err;
    const cause = rootCause(err);
    return await CancellationScope.nonCancellable(() => fail(cause.type ?? 'JobFailed', cause.message));
  }

  // Record the failure, then fail the workflow with a typed failure carrying the result, so the
  // Web UI shows the job as failed with the human reason.
  async function fail(type: string, reason: string): Promise<never> {
    const result = await finish('fail', reason);
    throw ApplicationFailure.create({ type, message: reason, nonRetryable: true, details: [result] });
  }
}

function rootCause(err: unknown): { type?: string; message: string } {
  let e = err as { cause?: unknown; message?: string; type?: string } | undefined;
  while (e && e.cause) e = e.cause as typeof e;
  return { type: e?.type, message: e?.message ?? String(err) };
}
