// Only the project's own workers' answers count (issue 24). Anyone who can reach the Temporal
// server can poll a task queue and take an activity task: a model call on the LLM queue, or a
// command on the project queue. Its input is sealed with the project's key, so they read nothing
// (worker/payload-codec.ts); what they send back is not accepted:
//
// - a result the key does not open decodes to a marked value (core/payload-marks.ts);
// - a failure from one of the project's workers carries its message in an encrypted payload
//   (core/failure-converter.ts); a failure without that payload, or with one the key does not
//   open (marked by the codec), was made up by another worker.
//
// Either way the call is made again, and so that the stranger cannot take it again: as a local
// activity, run by the worker that runs this workflow (the project's own, in `run`'s process or
// `worksplit worker`), which no other worker can take. A worker that does not serve the activity
// (a files-only worker beside remote LLM workers) says so, and the call goes back to its queue,
// after a short wait. Server-made outcomes (timeouts, cancellation) are taken as they are. This is
// a workflow interceptor (bundled with the workflows: scripts/bundle-workflows.ts,
// worker/bundle.ts), so it covers every regular activity the workflows schedule; local
// activities never leave the worker.
import {
  ActivityFailure,
  ApplicationFailure,
  ActivityInput,
  CancelledFailure,
  Next,
  TemporalFailure,
  TimeoutFailure,
  WorkflowInterceptorsFactory,
  WorkflowOutboundCallsInterceptor,
  patched,
  proxyLocalActivities,
  scheduleActivity,
  sleep,
} from '@temporalio/workflow';
import { FORGED_MARK, isForgedValue } from '../core/payload-marks';

/** Asked only when an outcome is not the project's workers': histories recorded before (their
 * failures have no encrypted message) replay as they ran. */
export const AUTHENTIC_CALLS_PATCH = 'answers-only-from-sealed-workers';

/** Calls again at most this many times in a row: a stranger that wins every race is outlasted
 * many times over, and anything else that keeps making unsealed failures still ends. */
export const MAX_AGAIN = 50;

/** The first call again is at once; later ones wait 100 ms, doubling up to 5 s, so a stranger
 * that answers instantly while the project's workers are busy (or not there yet) does not use
 * the calls up in a moment. */
export function againDelayMs(count: number): number {
  return count <= 1 ? 0 : Math.min(100 * 2 ** (count - 2), 5000);
}

/** Whether an activity's failure was made up by a worker without the project's key. */
export function forgedFailure(e: unknown): boolean {
  if (!(e instanceof ActivityFailure)) return false;
  const cause = e.cause;
  // Timeouts and cancellation are the server's (or the workflow's own) doing.
  if (cause instanceof TimeoutFailure || cause instanceof CancelledFailure) return false;
  const attrs = cause instanceof TemporalFailure ? cause.failure?.encodedAttributes : undefined;
  if (!attrs) return true;
  return FORGED_MARK in (attrs.metadata ?? {});
}

// The count of calls again, handed synchronously from `again` to the interceptor it calls into.
let handedCount: number | undefined;

/** Failure types of a worker without the key that cannot parse its input (the SDK's): not
 * retried by the server, so the call is made again at once instead of after its backoff. */
const UNPARSABLE = ['ValueError', 'PayloadConverterError'];

class AnswersFromSealedWorkers implements WorkflowOutboundCallsInterceptor {
  scheduleActivity(input: ActivityInput, next: Next<WorkflowOutboundCallsInterceptor, 'scheduleActivity'>): Promise<unknown> {
    const count = handedCount ?? 0;
    handedCount = undefined;
    const retry = input.options.retry ?? {};
    const options = { ...input.options, retry: { ...retry, nonRetryableErrorTypes: [...(retry.nonRetryableErrorTypes ?? []), ...UNPARSABLE] } };
    return this.checked(input, next({ ...input, options }), count);
  }

  private async checked(input: ActivityInput, call: Promise<unknown>, count: number): Promise<unknown> {
    let result: unknown;
    try {
      result = await call;
    } catch (e) {
      if (count < MAX_AGAIN && forgedFailure(e) && patched(AUTHENTIC_CALLS_PATCH)) return again(input, count + 1);
      throw e;
    }
    if (count < MAX_AGAIN && isForgedValue(result) && patched(AUTHENTIC_CALLS_PATCH)) return again(input, count + 1);
    return result;
  }
}

/** The type of the failure a worker gives for an activity it does not have. */
const NOT_REGISTERED = 'NotFoundError';

async function again(input: ActivityInput, count: number): Promise<unknown> {
  const { taskQueue: _queue, heartbeatTimeout: _heartbeat, scheduleToStartTimeout: _start, cancellationType: _cancellation, versioningIntent: _versioning, priority: _priority, ...rest } = input.options;
  const retry = rest.retry ?? {};
  const local = proxyLocalActivities<Record<string, (...args: unknown[]) => Promise<unknown>>>({
    ...rest,
    retry: { ...retry, nonRetryableErrorTypes: [...(retry.nonRetryableErrorTypes ?? []), NOT_REGISTERED] },
  });
  try {
    return await local[input.activityType](...input.args);
  } catch (e) {
    const notHere = e instanceof ActivityFailure && e.cause instanceof ApplicationFailure && e.cause.type === NOT_REGISTERED;
    if (!notHere) throw e;
  }
  const delay = againDelayMs(count);
  if (delay > 0) await sleep(delay);
  handedCount = count;
  try {
    return scheduleActivity(input.activityType, input.args, input.options, input.typeInfo);
  } finally {
    handedCount = undefined;
  }
}

export const interceptors: WorkflowInterceptorsFactory = () => ({ outbound: [new AnswersFromSealedWorkers()] });
