// Decisions a later build makes differently from an earlier one, for code that workflows run:
// a workflow replaying a job from before the change must decide as the job did. Pure.

/** Whether the newer rules apply; asked only when the earlier and newer rules disagree. A
 * workflow passes a `patched()` check (so only jobs where it matters record a marker); everywhere
 * else the newer rules apply. */
export type NewerRules = () => boolean;

/** Outside workflows the newer rules always apply. */
export const ALWAYS_NEWER: NewerRules = () => true;

/** The newer rules' answer, or the earlier rules' one when they disagree and `newer` says no. */
export function decide<T>(earlier: () => T, newer: () => T, newerRules?: NewerRules): T {
  const now = newer();
  if (!newerRules) return now;
  const before = earlier();
  return JSON.stringify(before) === JSON.stringify(now) || newerRules() ? now : before;
}
