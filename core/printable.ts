// Text from the file system (file names, job ids of invalid jobs) shown on a terminal: control,
// bidirectional and invisible characters are shown as escapes, so a file name cannot move the
// cursor, recolour the screen or fake an output line.
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;

export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A reason (from the model, a command's output) as one terminal line: whitespace and line breaks
 * folded to single spaces, unprintable characters escaped, at most `max` characters. */
export function reasonLine(text: string, max = 300): string {
  const one = printable(text.replace(/\s+/g, ' ').trim());
  return one.length > max ? `${one.slice(0, max)}… (${one.length} characters; the whole reason: worksplit status --json)` : one;
}
