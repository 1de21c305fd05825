// What a job does first once its file is loaded: the status it records and the prompt of its
// first model call. The load step (the jobStart local activity) records and prepares both, so the
// first model call needs no step, and no workflow activation, of its own. Pure and deterministic:
// the job workflow and the activity both use it.
import type { JobSpec } from './job';
import type { PromptSpec } from './prompts';
import type { JobStatus, StatusUpdate } from './status';
import { ModeContext, modeExtraContext, produce, produceTests, testPath } from './modes';

/** The fields a job's first statuses set: it ran, with no error or leftovers of an earlier run. */
export const STARTED: Omit<StatusUpdate, 'id' | 'status'> = { ran: true, error: null, partialState: null, writtenFiles: null };

export interface FirstAsk {
  spec: PromptSpec;
  extraContext?: string[];
}

export interface JobOpening {
  /** Recorded (with STARTED) before anything is produced. */
  status: JobStatus;
  /** The first model call's prompt; none for a mode that reads files first. */
  ask?: FirstAsk;
}

/** For a job that generates (not fix / fix-all). */
export function jobOpening(job: JobSpec): JobOpening {
  const test = testPath(job);
  return { status: test ? 'pending_test' : 'pending_work', ...withAsk(firstAsk(job, !!test)) };
}

/** The same shape for the spec a job asks and the one prepared ahead, so they compare as JSON. */
export function askOf(spec: PromptSpec, extraContext?: string[]): FirstAsk {
  return { spec, ...(extraContext?.length ? { extraContext } : {}) };
}

function withAsk(ask: FirstAsk | undefined): { ask?: FirstAsk } {
  return ask ? { ask } : {};
}

/** The job's mode run up to its first model call, which it records and never answers: the code
 * that will ask decides the prompt, so the two cannot disagree. Every mode asks before its first
 * await; one that reads files first leaves nothing to prepare. */
function firstAsk(job: JobSpec, tdd: boolean): FirstAsk | undefined {
  let first: FirstAsk | undefined;
  const never = () => new Promise<never>(() => undefined);
  const ctx: ModeContext = {
    job,
    extraContext: modeExtraContext(job),
    ask: (spec, extraContext) => {
      first ??= askOf(spec, extraContext);
      return never();
    },
    readFiles: never,
  };
  void (tdd ? produceTests(ctx) : produce(ctx));
  return first;
}
