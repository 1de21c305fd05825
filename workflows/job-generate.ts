// A job's main step: produce the files with its mode, write them, have the model verify them,
// and retry once with the verifier's feedback (or with the edits that did not apply).
import type { PartialState } from '../core/status';
import type { RetryFeedback } from '../core/prompts';
import { parseStructuredVerdict, parseVerdict } from '../core/verdict';
import type { JobRun } from './job-run';
import { Produced, isInPlaceMode, produce } from '../core/modes';

/** Returns the verifier's warnings on a pass; fails the job otherwise. */
export async function generateAndVerify(run: JobRun): Promise<string | undefined> {
  const job = run.job!;
  let retry: RetryFeedback | undefined;
  let produced: Extract<Produced, { ok: true }>;
  const appliedEdits: string[] = [];
  for (;;) {
    run.enter('generating', job.outputFiles?.join(', ') ?? job.targetFiles?.join(', ') ?? job.outputPath);
    produced = await run.produceWithRetry((r) => produce(run.context(), r), retry);
    await run.write(produced.files, produced.written);
    if (produced.partial) {
      appliedEdits.push(...produced.partial.successful_edits);
      const failedEdits = describeFailedEdits(produced.partial);
      if (run.attempt === 1) {
        // Some edits did not apply: one retry with what failed, from the files as they are now.
        run.attempt = 2;
        retry = { reason: `these edits did not apply: ${failedEdits}`, previous: [] };
        continue;
      }
      const n = produced.partial.failed_edits.length;
      // Nothing applied at all is a plain failure; some applied is WorkSplit's "partial".
      if (appliedEdits.length === 0) return await run.fail('EditsFailed', `no edit applied: ${failedEdits}`);
      return await run.fail('EditsPartiallyApplied', `${n} edit(s) did not apply: ${failedEdits}`, { successful_edits: appliedEdits, failed_edits: produced.partial.failed_edits });
    }
    if (!job.verify || produced.files.length === 0) return undefined;
    run.status('pending_verification');
    run.enter('verifying', produced.files.map((f) => f.path).join(', '));
    const structured = run.structuredVerdicts();
    const { text } = await run.ask({ kind: 'verify', generated: produced.files, edit: isInPlaceMode(job), ...(structured ? { structured } : {}) }, run.context().extraContext);
    const verdict = structured ? parseStructuredVerdict(text) : parseVerdict(text, run.verdictRules);
    if (verdict.passed) return verdict.kind === 'PASS_WITH_WARNINGS' ? verdict.reason || undefined : undefined;
    const reason = `${verdict.kind}${verdict.reason ? `: ${verdict.reason}` : ''}`;
    if (run.attempt === 2) return await run.fail('VerificationFailed', `verification failed after the retry: ${reason}`);
    run.attempt = 2;
    retry = { reason, previous: produced.files };
    run.status('pending_work');
  }
}

function describeFailedEdits(p: PartialState): string {
  return p.failed_edits.map((f) => `${f.file} "${f.find_preview}": ${f.reason}${f.suggested_line ? ` (near line ${f.suggested_line})` : ''}`).join('; ');
}
