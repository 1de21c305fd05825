// What max_output_lines limits: the lines the model wrote (SPEC §1), as WorkSplit means it. A
// replace job's files, an edit job's edits (their REPLACE text), a pattern job's insertions (each
// INSERT once, wherever it lands); an edited file may grow past it. Pure.
import type { EditBlock } from './edits';
import { lineCount } from './lines';
import type { GeneratedFile } from './output-parse';
import type { PatternInsert } from './patterns';

/** Lines the model wrote, and what they are, for the message when they are too many. */
export interface WrittenLines {
  /** "src/x.ts" for a file the model wrote whole, "the edits to src/x.ts", "the insertions". */
  what: string;
  lines: number;
  /** True for a whole file: its message keeps the wording it always had. */
  file?: boolean;
}

const linesOf = (text: string) => (text === '' ? 0 : lineCount(text));

/** Files the model wrote whole (replace, sequential, split, tests, fixes). */
export function filesWritten(files: GeneratedFile[]): WrittenLines[] {
  return files.map((f) => ({ what: f.path, lines: lineCount(f.content), file: true }));
}

/** An edit answer: the REPLACE text of its edits, added up per file. */
export function editsWritten(edits: EditBlock[]): WrittenLines[] {
  const per = new Map<string, number>();
  for (const e of edits) per.set(e.file, (per.get(e.file) ?? 0) + linesOf(e.replace));
  return [...per].map(([file, lines]) => ({ what: `the edits to ${file}`, lines }));
}

/** A replace_pattern answer: the text of its INSERT sections, each counted once. */
export function insertsWritten(inserts: PatternInsert[]): WrittenLines[] {
  return [{ what: 'the insertions', lines: inserts.reduce((n, i) => n + linesOf(i.insert), 0) }];
}

/** Why what was written is over max_output_lines, or undefined when it is not. */
export function overOutputLines(written: WrittenLines[], max: number): string | undefined {
  const over = written.find((w) => w.lines > max);
  if (!over) return undefined;
  return over.file ? `${over.what} has ${over.lines} lines, over max_output_lines (${max})` : `${over.what} are ${over.lines} lines, over max_output_lines (${max}); an edited file may be longer, what the model writes may not`;
}
