// Reasons built from what a model or a server said (a path it named, an error page) are bounded
// before they become a failure's message: the SDK's failure converter runs `\s+at …` expressions
// over a failure's stack, which starts with its message, and a message holding a long run of
// spaces took quadratic time there, in the workflow thread, past the SDK's deadlock limit. Pure.

import { showPath } from './paths';
import { printable } from './printable';

/** Longest whitespace run kept as it is; longer runs become one space. */
const LONGEST_SPACE_RUN = 40;
const LONG_SPACE_RUN = new RegExp(`\\s{${LONGEST_SPACE_RUN + 1},}`, 'g');
/** Longest reason kept whole (the status file keeps the reason; the terminal shows one line). */
export const MAX_REASON_CHARS = 8000;

export function boundedReason(text: string, max = MAX_REASON_CHARS): string {
  const folded = text.replace(LONG_SPACE_RUN, ' ');
  return folded.length > max ? `${folded.slice(0, max)}… (cut: ${folded.length} characters)` : folded;
}

/** A name the model wrote, for a message: as it is when short and plain (messages read as they
 * always did), else as showPath shows names, with its long space runs folded first. */
export function shownName(name: string): string {
  if (name.length <= 120 && !/\s{8}/.test(name) && printable(name) === name) return name;
  return showPath(name.replace(/\s{8,}/g, ' … '));
}
