// replace_pattern and update_fixtures modes (SPEC §2): insertions applied to target files. Pure.
import { type NewerRules, decide } from './newer-rules';
import { stripLeadingThinking, stripThinking } from './output-parse';
import { type KeyLine, keyLineMatcher } from './line-match';

export interface PatternInsert {
  /** Text a line must contain for the insertion to follow it. */
  after: string;
  insert: string;
  /** Limit to the block (brace-delimited) starting at the first line containing this text. */
  scope?: string;
}

export type ParsedPatterns = { ok: true; inserts: PatternInsert[] } | { ok: false; error: string };

/** Parse `SCOPE:` (optional), `AFTER:` and `INSERT:` sections; `END` or the next key closes one. */
export function parsePatternInserts(answer: string, newerRules?: NewerRules): ParsedPatterns {
  return decide(() => parseWith(stripThinking(answer), EARLIER_KEY), () => parseWith(stripLeadingThinking(answer), KEY), newerRules);
}

// A keyword line is the keyword alone, or the keyword, ":" and a value (as in core/edits.ts).
const KEY = keyLineMatcher(['SCOPE', 'AFTER', 'INSERT', 'END'], true);
const EARLIER_KEY = keyLineMatcher(['SCOPE', 'AFTER', 'INSERT', 'END'], false);

function parseWith(answer: string, keyLine: (line: string) => KeyLine): ParsedPatterns {
  const lines = answer.replace(/\r\n?/g, '\n').split('\n');
  const inserts: PatternInsert[] = [];
  let scope: string | undefined;
  let after: string | undefined;
  let insert: string[] | undefined;
  const flush = () => {
    if (after !== undefined && insert !== undefined) {
      while (insert.length > 0 && insert[insert.length - 1].trim() === '') insert.pop();
      inserts.push({ after, insert: insert.join('\n'), ...(scope ? { scope } : {}) });
    }
    after = undefined;
    insert = undefined;
  };
  for (const line of lines) {
    const k = keyLine(line.trim());
    const m = k ? ([k.key, k.key, k.value] as const) : null;
    if (m && m[1] === 'SCOPE') {
      flush();
      scope = (m[2] ?? '').trim() || undefined;
    } else if (m && m[1] === 'AFTER') {
      flush();
      after = (m[2] ?? '').trim();
    } else if (m && m[1] === 'INSERT' && after !== undefined) {
      insert = m[2] ? [m[2]] : [];
    } else if (m && m[1] === 'END' && !m[2]) {
      flush();
    } else if (insert !== undefined && !/^(```|~~~)/.test(line.trim())) insert.push(line);
  }
  flush();
  if (inserts.length === 0) return { ok: false, error: 'no AFTER:/INSERT: pairs in the answer' };
  const empty = inserts.find((i) => i.after === '');
  if (empty) return { ok: false, error: 'an AFTER: has no pattern' };
  return { ok: true, inserts };
}

export interface InsertOutcome {
  text: string;
  count: number;
  /** The insertions were stopped (nothing applied): the file would pass MAX_INSERTED_FILE_LINES,
   * or they would look at more lines than the budget allows. */
  tooLarge?: string;
}

/** Pairs whose insert holds its own pattern double the file with each pair: 40 of them made a
 * file of 2^40 lines. Past this size no file could be written anyway (it is far over the largest
 * file and payload allowed). */
export const MAX_INSERTED_FILE_LINES = 1_000_000;

/** Lines the pairs of one answer may look at, over all pairs: each pair reads the whole file,
 * and 19 doubling pairs and a hundred more took minutes in the workflow thread. A real answer
 * (tens of pairs over a file of thousands of lines) looks at well under a million. */
export const PATTERN_WORK_BUDGET = 5_000_000;

/**
 * Insert after every line containing the pattern (within the scope block, when given). With a
 * `budget`, stop (tooLarge) once the pairs have looked at more lines than that: the bound the
 * job workflow runs with; without, the earlier unbounded rule (a replay of a job from before it).
 */
export function applyPatternInserts(text: string, inserts: PatternInsert[], budget = Infinity): InsertOutcome {
  let lines = text.split('\n');
  let count = 0;
  let work = 0;
  for (const ins of inserts) {
    const [from, to] = ins.scope ? scopeRange(lines, ins.scope) : [0, lines.length - 1];
    work += ins.scope ? lines.length : 0;
    if (from < 0) continue;
    const inserted = ins.insert.split('\n');
    // Where it goes first: a pair that matches nothing copies nothing.
    const at: number[] = [];
    for (let i = Math.max(0, from); i <= to && i < lines.length; i++) if (lines[i].includes(ins.after)) at.push(i);
    work += to - from + 1;
    if (work > budget) return { text, count: 0, tooLarge: `the insertions would look at more than ${budget} lines (${inserts.length} pairs over a file of ${lines.length} lines)` };
    if (at.length === 0) continue;
    if (lines.length + at.length * inserted.length > MAX_INSERTED_FILE_LINES) return { text, count: 0, tooLarge: `the insertions would make the file longer than ${MAX_INSERTED_FILE_LINES} lines` };
    const out: string[] = [];
    let next = 0;
    for (const i of at) {
      for (; next <= i; next++) out.push(lines[next]);
      for (const l of inserted) out.push(l);
      count++;
    }
    for (; next < lines.length; next++) out.push(lines[next]);
    work += out.length;
    lines = out;
  }
  return { text: lines.join('\n'), count };
}

/** Lines of the brace block that starts at the first line containing `scope`. */
function scopeRange(lines: string[], scope: string): [number, number] {
  const start = lines.findIndex((l) => l.includes(scope));
  if (start < 0) return [-1, -1];
  let depth = 0;
  let opened = false;
  for (let i = start; i < lines.length; i++) {
    for (const ch of lines[i]) {
      if (ch === '{') { depth++; opened = true; }
      else if (ch === '}') depth--;
    }
    if (opened && depth <= 0) return [start, i];
  }
  return [start, lines.length - 1];
}

/**
 * update_fixtures: add `newField` to every struct literal `StructName { … }` (not the struct's
 * definition). A literal that already has the field is left as is, so applying twice is safe.
 */
export function addFieldToStructLiterals(text: string, structName: string, newField: string): InsertOutcome {
  const field = newField.trim().replace(/,?$/, ',');
  const fieldName = field.split(':')[0].trim();
  const lines = text.split('\n');
  const out: string[] = [];
  let count = 0;
  const literal = new RegExp(`^(.*?)(?:^|(?<=[^A-Za-z0-9_:]))${escapeRegExp(structName)}\\s*\\{\\s*$`);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    out.push(line);
    const m = literal.exec(line);
    // A literal stands where an expression does: at the start of a line or after = ( [ { , :
    // or return. `struct Config {`, `impl X for Config {` and `-> Config {` are not literals.
    if (!m || !/(^|[=([{,:]|\breturn)$/.test(m[1].trim())) continue;
    const indent = /^\s*/.exec(lines[i + 1] ?? '')?.[0] || `${/^\s*/.exec(line)![0]}    `;
    // Already there? Look through this literal's own lines (until its closing brace).
    let depth = 1;
    let has = false;
    for (let k = i + 1; k < lines.length && depth > 0; k++) {
      if (depth === 1 && lines[k].trim().startsWith(`${fieldName}:`)) has = true;
      for (const ch of lines[k]) depth += ch === '{' ? 1 : ch === '}' ? -1 : 0;
    }
    if (has) continue;
    out.push(`${indent}${field}`);
    count++;
  }
  return { text: out.join('\n'), count };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
