// Text from the file system (file names, job ids of invalid jobs) shown on a terminal: control,
// bidirectional and invisible characters are shown as escapes, so a file name cannot move the
// cursor, recolour the screen, fake an output line or pass for another name.

/** Escaped wherever a name or reason is shown: controls (C0, C1), every default-ignorable code
 * point (zero-width characters, the soft hyphen, bidirectional marks, the combining grapheme
 * joiner, variation selectors, tags...: a file system may drop them, ".g\u206ait" is ".git" on
 * HFS+), line and paragraph separators, and lone surrogates. */
const UNPRINTABLE = /[\p{Cc}\p{Default_Ignorable_Code_Point}\u2028\u2029\p{Cs}]/gu;

/** One code point as an escape: \u200b, or \u{e0041} beyond the 16-bit range. */
export function escapeCodePoint(c: string): string {
  const cp = c.codePointAt(0)!;
  return cp > 0xffff ? `\\u{${cp.toString(16)}}` : `\\u${cp.toString(16).padStart(4, '0')}`;
}

export function printable(text: string): string {
  return text.replace(UNPRINTABLE, escapeCodePoint);
}

/** A reason (from the model, a command's output) as one terminal line: whitespace and line breaks
 * folded to single spaces, unprintable characters escaped, at most `max` characters. */
export function reasonLine(text: string, max = 300): string {
  const one = printable(text.replace(/\s+/g, ' ').trim());
  return one.length > max ? `${one.slice(0, max)}… (${one.length} characters; the whole reason: worksplit status --json)` : one;
}
