// Edit mode (SPEC §2): parse FILE/FIND/REPLACE/END blocks from an answer and apply them to the
// target files. Exact match first, then line by line with whitespace normalized; a FIND that
// matches more than once is an error, never a guess. Pure.
import type { FailedEdit, PartialState } from './status';
import { type NewerRules, decide } from './newer-rules';
import { stripLeadingThinking, stripThinking } from './output-parse';
import { type KeyLine, keyLineMatcher } from './line-match';

export interface EditBlock {
  file: string;
  find: string;
  replace: string;
}

export type ParsedEdits = { ok: true; edits: EditBlock[] } | { ok: false; error: string };

// A keyword line is the keyword alone, or the keyword, ":" and a value. Before, any line starting
// with the letters was one ("REPLACEMENT_CHAR = 1" read as REPLACE: "MENT_CHAR = 1").
const KEY = keyLineMatcher(['FILE', 'FIND', 'REPLACE', 'END'], true);
const EARLIER_KEY = keyLineMatcher(['FILE', 'FIND', 'REPLACE', 'END'], false);

export function parseEditBlocks(answer: string, newerRules?: NewerRules): ParsedEdits {
  return decide(() => parseWith(stripThinking(answer), EARLIER_KEY), () => parseWith(stripLeadingThinking(answer), KEY), newerRules);
}

function parseWith(answer: string, keyLine: (line: string) => KeyLine): ParsedEdits {
  const lines = answer.replace(/\r\n?/g, '\n').split('\n');
  const edits: EditBlock[] = [];
  let file: string | undefined;
  let section: 'none' | 'find' | 'replace' = 'none';
  let find: string[] = [];
  let replace: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const k = keyLine(line.trim());
    const m = k ? ([k.key, k.key, k.value] as const) : null;
    const key = m && (m[1] !== 'FILE' || section === 'none') ? m[1] : undefined;
    if (key === 'FILE') {
      file = (m![2] ?? '').trim().replace(/^`|`$/g, '');
      if (!file) return { ok: false, error: `line ${i + 1}: FILE: without a path` };
      continue;
    }
    if (key === 'FIND' && section !== 'replace') {
      if (file === undefined) return { ok: false, error: `line ${i + 1}: FIND: before any FILE: line` };
      section = 'find';
      find = m![2] ? [m![2]] : [];
      continue;
    }
    if (key === 'REPLACE' && section === 'find') {
      section = 'replace';
      replace = m![2] ? [m![2]] : [];
      continue;
    }
    if (key === 'END' && section === 'replace' && !m![2]) {
      edits.push({ file: file!, find: trimFence(find).join('\n'), replace: trimFence(replace).join('\n') });
      section = 'none';
      continue;
    }
    if (section === 'find') find.push(line);
    else if (section === 'replace') replace.push(line);
  }
  if (section !== 'none') return { ok: false, error: `the edit block for ${file} is not finished (expected ${section === 'find' ? 'REPLACE:' : 'END'}); the answer may have been cut off` };
  if (edits.length === 0) return { ok: false, error: 'no edit blocks in the answer: expected FILE:, FIND:, REPLACE:, END' };
  for (const e of edits) if (e.find.trim() === '') return { ok: false, error: `an edit for ${e.file} has an empty FIND` };
  return { ok: true, edits };
}

// Models often wrap FIND/REPLACE text in a code fence; the fence is not part of the text.
function trimFence(lines: string[]): string[] {
  let l = lines;
  while (l.length > 0 && l[0].trim() === '') l = l.slice(1);
  while (l.length > 0 && l[l.length - 1].trim() === '') l = l.slice(0, -1);
  if (l.length >= 2 && /^(```|~~~)/.test(l[0].trim()) && /^(```|~~~)\s*$/.test(l[l.length - 1].trim())) l = l.slice(1, -1);
  return l;
}

export interface EditOutcome {
  /** New content of every file at least one edit applied to. */
  changed: Record<string, string>;
  partial: PartialState;
}

export function preview(find: string): string {
  const first = find.split('\n').find((l) => l.trim() !== '') ?? '';
  return first.trim().slice(0, 60);
}

const norm = (s: string) => s.trim().replace(/\s+/g, ' ');

/** Apply edits in order to the given file contents. */
export function applyEdits(files: Record<string, string>, edits: EditBlock[]): EditOutcome {
  // A file's lines normalized once per content, not once per edit (edits that do not apply leave
  // it as it is).
  let cached: { text: string; lines: string[] } | undefined;
  const normalizedLines = (text: string): string[] => {
    if (cached?.text !== text) cached = { text, lines: text.split('\n').map(norm) };
    return cached.lines;
  };
  const current: Record<string, string> = { ...files };
  const changed: Record<string, string> = {};
  const successful: string[] = [];
  const failed: FailedEdit[] = [];
  for (const e of edits) {
    const text = current[e.file];
    if (text === undefined) {
      failed.push({ file: e.file, find_preview: preview(e.find), reason: 'not a target file of this job' });
      continue;
    }
    const r = applyOne(text, e.find, e.replace, normalizedLines);
    if ('error' in r) {
      failed.push({ file: e.file, find_preview: preview(e.find), reason: r.error, ...(r.suggestedLine ? { suggested_line: r.suggestedLine } : {}) });
      continue;
    }
    current[e.file] = r.text;
    changed[e.file] = r.text;
    successful.push(`${e.file}: ${preview(e.find)}`);
  }
  return { changed, partial: { successful_edits: successful, failed_edits: failed } };
}

type ApplyResult = { text: string } | { error: string; suggestedLine?: number };

function applyOne(text: string, find: string, replace: string, normalizedLines: (text: string) => string[]): ApplyResult {
  const exact = occurrences(text, find);
  if (exact.length === 1) return { text: text.slice(0, exact[0]) + replace + text.slice(exact[0] + find.length) };
  if (exact.length > 1) return { error: `FIND matches ${exact.length}${exact.length >= MAX_PLACES ? ' or more' : ''} places exactly (first at line ${lineOf(text, exact[0])}); make it longer so it is unique` };
  // Line by line, whitespace normalized.
  const lines = text.split('\n');
  const want = find.split('\n').map(norm);
  while (want.length > 0 && want[0] === '') want.shift();
  while (want.length > 0 && want[want.length - 1] === '') want.pop();
  // Each line normalized once, and the FIND lines found with Knuth-Morris-Pratt over lines: a long
  // FIND of common lines ("}") against a long file compared every pair of lines (an answer of 200
  // such edits took seconds in the workflow thread). The same places as the line-by-line scan.
  const normed = normalizedLines(text);
  const hits = want.length === 0 ? everyPlace(lines.length) : linePlaces(normed, want);
  if (hits.length === 1) {
    const i = hits[0];
    const out = [...lines.slice(0, i), ...(replace === '' ? [] : replace.split('\n')), ...lines.slice(i + want.length)];
    return { text: out.join('\n') };
  }
  if (hits.length > 1) {
    const shown = hits.slice(0, 10).map((h) => h + 1).join(', ') + (hits.length > 10 ? ` and ${hits.length - 10} more` : '');
    return { error: `FIND matches ${hits.length} places (lines ${shown}) after whitespace normalization; make it unique` };
  }
  const first = want[0];
  const near = normed.findIndex((l) => first !== '' && (l === first || l.includes(first) || (first.length > 8 && first.includes(l) && l.length > 8)));
  return near >= 0 ? { error: 'FIND text not found (the first line matches, the rest differs)', suggestedLine: near + 1 } : { error: 'FIND text not found' };
}

/** Exact places of `find`, up to MAX_PLACES: a FIND of common text ("}\n") matched thousands. */
function occurrences(text: string, find: string): number[] {
  const out: number[] = [];
  for (let i = text.indexOf(find); i >= 0 && out.length < MAX_PLACES; i = text.indexOf(find, i + 1)) out.push(i);
  return out;
}

/** Places counted in a message before "or more". */
const MAX_PLACES = 1000;

/** Where the lines `want` start in `lines`, overlapping places included (KMP over lines). */
function linePlaces(lines: string[], want: string[]): number[] {
  const fail = new Array<number>(want.length).fill(0);
  for (let i = 1, k = 0; i < want.length; i++) {
    while (k > 0 && want[i] !== want[k]) k = fail[k - 1];
    if (want[i] === want[k]) k++;
    fail[i] = k;
  }
  const out: number[] = [];
  for (let i = 0, k = 0; i < lines.length; i++) {
    while (k > 0 && lines[i] !== want[k]) k = fail[k - 1];
    if (lines[i] === want[k]) k++;
    if (k === want.length) {
      out.push(i - want.length + 1);
      k = fail[k - 1];
    }
  }
  return out;
}

/** An empty FIND (after trimming blank lines) matches before every line, as the scan did. */
function everyPlace(n: number): number[] {
  return Array.from({ length: n + 1 }, (_, i) => i);
}

function lineOf(text: string, index: number): number {
  return text.slice(0, index).split('\n').length;
}
