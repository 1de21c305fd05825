// One job as its own workflow (one row in the Web UI): its mode produces the files (core/modes.ts),
// then the steps every mode shares: write, verify with the model, one retry with the verifier's
// feedback (job-generate.ts), build/test checks with auto-fix (job-checks.ts), final status.
// Deterministic: every side effect is an activity.
import { ApplicationFailure, CancellationScope, isCancellation } from '@temporalio/workflow';
import { declaredOutputs } from '../core/job';
import { runChecks, runLintFix } from './job-checks';
import { generateAndVerify } from './job-generate';
import { JobRun } from './job-run';
import { STARTED } from '../core/job-opening';
import { produceTests, testPath } from '../core/modes';
import type { JobInput, JobResult } from './types';
import { isFailureType } from '../core/failure-types';

export async function jobWorkflow(input: JobInput): Promise<JobResult> {
  const run = new JobRun(input);
  try {
    // Since the load step (job-run.ts), it records the opening status and prepares the first
    // prompt too: the first run.status and model call below use what it did.
    const job = await run.load();
    if (input.fixOnly) {
      // fix / fix-all: no generation; lint the job's outputs and let the model fix them.
      run.outputs = declaredOutputs(job);
      await runLintFix(run, run.outputs);
      return await run.finish('pass');
    }
    const test = testPath(job);
    if (test) {
      // TDD: the tests first, then the implementation with the tests as context.
      run.status('pending_test', STARTED);
      run.enter('testing', test);
      const tests = await run.produceWithRetry((retry) => produceTests(run.context(), retry));
      await run.write(tests.files);
      run.attempt = 1;
    }
    run.status('pending_work', STARTED);
    const warnings = await generateAndVerify(run);
    await runChecks(run);
    return await run.finish('pass', warnings);
  } catch (err) {
    if (isCancellation(err)) throw err;
    if (err instanceof ApplicationFailure && (err.details?.[0] as JobResult | undefined)?.id === input.jobId) throw err;
    const cause = rootCause(err);
    return await CancellationScope.nonCancellable(() => run.fail(isFailureType(cause.type) ? cause.type : 'JobFailed', cause.message));
  }
}

function rootCause(err: unknown): { type?: string; message: string } {
  let e = err as { cause?: unknown; message?: string; type?: string } | undefined;
  while (e && e.cause) e = e.cause as typeof e;
  return { type: e?.type, message: e?.message ?? String(err) };
}
