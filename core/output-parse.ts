// Parse a model's answer into files (SPEC §2, replace mode). Line by line, not one regex, so
// an unclosed block is an error and a one-word first line stays content. Pure.
import { UnsafePathError, assertWritablePath, normalizeProjectPath } from './paths';
import { type NewerRules, decide } from './newer-rules';
import { shownName } from './reason';
import { isCloseLine, lineStartsWithAnswer, matchFenceLine, matchOpenLine, removeThinkSpans } from './line-match';

export interface GeneratedFile {
  path: string;
  content: string;
}

export type ParsedOutput = { ok: true; files: GeneratedFile[] } | { ok: false; error: string };

// The lines that open and close a block, and a code fence, are matched by hand (core/line-match.ts):
// the regular expressions they replace took quadratic time on long runs of spaces, in workflow
// code, and one answer wedged a batch. Same results (test/unit/line-match.test.ts).

/** Remove reasoning a model wrote inline (`<think>…</think>`); it is never part of the answer.
 * The earlier rule: every such span anywhere, and everything up to a lone `</think>`. */
export function stripThinking(answer: string): string {
  return removeThinkSpans(answer).replace(/^[\s\S]*?<\/think>/i, '');
}

/** Remove the reasoning a model writes before its answer: a leading `<think>…</think>`, or the
 * text up to a `</think>` whose opening tag the chat template wrote. Only before the answer: a
 * file may hold "<think>" itself (a parser, a prompt), which the earlier rule cut out of it. */
export function stripLeadingThinking(answer: string): string {
  const opened = /^\s*<think>[\s\S]*?(<\/think>|$)/i.exec(answer);
  if (opened) return answer.slice(opened[0].length);
  const close = answer.search(/<\/think>/i);
  if (close < 0) return answer;
  const before = answer.slice(0, close);
  // Reasoning holds no answer: a block, an edit or pattern keyword, or a verdict word before the
  // tag means the tag is in the answer, and nothing is removed.
  if (lineStartsWithAnswer(before)) return answer;
  return answer.slice(close + '</think>'.length);
}

/**
 * Files in an answer. `defaultPath` is where a block without a path goes (the job's output path).
 */
export function parseGeneratedFiles(answer: string, defaultPath: string, newerRules?: NewerRules): ParsedOutput {
  return decide(() => parseFiles(stripThinking(answer), defaultPath, false), () => parseFiles(stripLeadingThinking(answer), defaultPath, true), newerRules);
}

function parseFiles(answer: string, defaultPath: string, strict: boolean): ParsedOutput {
  const lines = answer.replace(/\r\n?/g, '\n').split('\n');
  const files: GeneratedFile[] = [];
  let sawBlock = false;
  for (let i = 0; i < lines.length; i++) {
    const open = matchOpenLine(lines[i].trim());
    if (!open) continue;
    sawBlock = true;
    const path = open.path?.trim() || defaultPath;
    const body: string[] = [];
    let closed = false;
    for (i++; i < lines.length; i++) {
      if (isCloseLine(lines[i].trim())) { closed = true; break; }
      body.push(lines[i]);
    }
    if (!closed) return { ok: false, error: `the block for ${shownName(path)} has no closing "~~~worksplit" line (the answer may have been cut off)` };
    const content = cleanBlock(body, path);
    // A block holding NUL bytes is no source file (an empty one may be: __init__.py).
    if (strict && content.includes('\0')) return { ok: false, error: `the block for ${shownName(path)} holds a NUL byte, which no source file does` };
    files.push({ path, content });
  }
  if (!sawBlock) {
    const fenced = fencedBlocks(lines);
    if (fenced.length === 1) files.push({ path: defaultPath, content: withNewline(fenced[0].join('\n')) });
    else if (fenced.length > 1) return { ok: false, error: `the answer has ${fenced.length} code blocks and no ~~~worksplit block, so it is unclear which is the file` };
    else return { ok: false, error: 'no code in the answer: expected a ~~~worksplit block or a fenced code block' };
  }
  const seen = new Set<string>();
  for (const f of files) {
    // The same file under two spellings ("src/a.ts", "./src//a.ts") is the same file.
    const key = strict ? sameFileKey(f.path) : f.path;
    if (seen.has(key)) return { ok: false, error: `the answer writes ${f.path} twice` };
    seen.add(key);
  }
  return { ok: true, files };
}

function sameFileKey(p: string): string {
  try {
    return normalizeProjectPath(p);
  } catch {
    return p; // refused later by confineToProject, with the rule named
  }
}

/** Check that every file is a path the tool may write (inside the project, not protected);
 * returns the files with normalized paths or the first violation. Symlinks are checked when
 * the files are written. */
export function confineToProject(files: GeneratedFile[], newerRules?: NewerRules): ParsedOutput {
  const out: GeneratedFile[] = [];
  for (const f of files) {
    try {
      out.push({ path: assertWritablePath(f.path, newerRules), content: f.content });
    } catch (e) {
      if (e instanceof UnsafePathError) return { ok: false, error: `the model named an unsafe path: ${e.message}` };
      throw e;
    }
  }
  return { ok: true, files: out };
}

/** confineToProject, and every file must be one the job declared. */
export function confineToDeclared(files: GeneratedFile[], declared: string[], newerRules?: NewerRules): ParsedOutput {
  const confined = confineToProject(files, newerRules);
  if (!confined.ok) return confined;
  const allowed = new Set(declared);
  const other = confined.files.find((f) => !allowed.has(f.path));
  if (other) return { ok: false, error: `the model wrote ${other.path}, which this job does not declare as an output (declared: ${[...allowed].join(', ')})` };
  return confined;
}

/** Files outside `dir` (a project-relative folder; '' or '.' is the root). */
export function outsideDir(paths: string[], dir: string): string[] {
  const d = dir.replace(/\/+$/, '');
  if (d === '' || d === '.') return [];
  return paths.filter((p) => !p.startsWith(`${d}/`));
}

// Inside a worksplit block: strip a heading that repeats the path and a fenced code block
// wrapping the whole content.
function cleanBlock(body: string[], path: string): string {
  let b = trimBlankEnds(body);
  const first = b[0]?.trim() ?? '';
  const base = path.split('/').pop()!;
  if (/^(#{1,6}\s+|\*\*|file:\s*)/i.test(first) && (first.includes(path) || first.includes(base))) b = trimBlankEnds(b.slice(1));
  const open = b.length >= 2 ? matchFenceLine(b[0].trim()) : undefined;
  if (open !== undefined && b[b.length - 1].trim() === open) b = b.slice(1, -1);
  return withNewline(b.join('\n'));
}

function fencedBlocks(lines: string[]): string[][] {
  const blocks: string[][] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = matchFenceLine(lines[i].trim());
    if (fence === undefined) continue;
    const body: string[] = [];
    let closed = false;
    for (i++; i < lines.length; i++) {
      if (lines[i].trim() === fence) { closed = true; break; }
      body.push(lines[i]);
    }
    if (closed) blocks.push(body);
  }
  return blocks;
}

function trimBlankEnds(lines: string[]): string[] {
  let s = 0;
  let e = lines.length;
  while (s < e && lines[s].trim() === '') s++;
  while (e > s && lines[e - 1].trim() === '') e--;
  return lines.slice(s, e);
}

function withNewline(s: string): string {
  return s.endsWith('\n') ? s : `${s}\n`;
}
