// Text from the file system (file names, job ids of invalid jobs) shown on a terminal: control,
// bidirectional and invisible characters are shown as escapes, so a file name cannot move the
// cursor, recolour the screen or fake an output line.
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;

export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
