// How a retryable failure of this attempt ends its message: "; retrying" only while Temporal will
// in fact retry it, so the last attempt's message (the one a user sees) does not promise more.
import { activityInfo } from '@temporalio/activity';

export function retryNote(): string {
  const { attempt, retryPolicy } = activityInfo();
  const max = retryPolicy?.maximumAttempts ?? 0;
  return max > 0 && attempt >= max ? `; gave up after ${attempt} attempts` : '; retrying';
}
