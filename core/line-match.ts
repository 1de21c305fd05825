// Matchers for the lines of a model's answer, in linear time. Each replaces a regular expression
// whose backtracking took quadratic time on long runs of whitespace (or of one tag), and these
// run in workflow code: one 255,000-space line held the workflow thread past the SDK's deadlock
// limit and wedged the batch. Each gives exactly the result of the expression it replaces (named
// above it), so jobs that ran before replay as they ran; test/unit/line-match.test.ts checks
// that against the expressions on random and adversarial lines. Pure.

/** JavaScript's \s: the characters String.prototype.trim removes. */
const SPACE = /\s/;
const isSpace = (c: string | undefined): boolean => c !== undefined && SPACE.test(c);

/** The line terminators `.` does not match and after which a multiline `^` matches. */
const isLineTerminator = (c: string): boolean => c === '\n' || c === '\r' || c === '\u2028' || c === '\u2029';

/** `a` equals the lower-case ASCII word `word`, ignoring ASCII case only (a regular expression's
 * /i without /u: the Kelvin sign is no "k", the long s no "s"). */
function asciiCaseEquals(a: string, word: string): boolean {
  if (a.length !== word.length) return false;
  for (let i = 0; i < a.length; i++) {
    const c = a.charCodeAt(i);
    const lower = c >= 65 && c <= 90 ? c + 32 : c;
    if (lower !== word.charCodeAt(i)) return false;
  }
  return true;
}

/** After "~~~", optional spaces and "worksplit" (any ASCII case): the index after it, or -1. */
function afterWorksplit(line: string): number {
  if (!line.startsWith('~~~')) return -1;
  let i = 3;
  while (isSpace(line[i])) i++;
  return asciiCaseEquals(line.slice(i, i + 9), 'worksplit') ? i + 9 : -1;
}

/**
 * A block's opening line, trimmed: `/^~~~\s*worksplit(?:\s*:\s*(\S.*?)|\s+(\S+))?\s*$/i`.
 * Returns undefined when it is not one; `path` is the first group (the second was never used).
 */
export function matchOpenLine(line: string): { path?: string } | undefined {
  const k = afterWorksplit(line);
  if (k < 0) return undefined;
  const rest = line.slice(k);
  if (rest === '') return {};
  let j = 0;
  while (isSpace(rest[j])) j++;
  // "…: path": the path runs to the end of the (trimmed) line, on one line.
  if (rest[j] === ':') {
    let p = j + 1;
    while (isSpace(rest[p])) p++;
    if (p < rest.length) {
      const path = rest.slice(p);
      let oneLine = true;
      for (let q = 0; q < path.length && oneLine; q++) oneLine = !isLineTerminator(path[q]);
      if (oneLine) return { path };
    }
  }
  // "… word": spaces, then one run without spaces to the end.
  if (j > 0 && j < rest.length) {
    for (let q = j; q < rest.length; q++) if (isSpace(rest[q])) return undefined;
    return {};
  }
  return undefined;
}

/** A block's closing line, trimmed: `/^~~~\s*worksplit\s*$/i`. */
export function isCloseLine(line: string): boolean {
  const k = afterWorksplit(line);
  if (k < 0) return false;
  for (let q = k; q < line.length; q++) if (!isSpace(line[q])) return false;
  return true;
}

const isWordChar = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;

/**
 * A code fence's opening line, trimmed: `/^(`{3,}|~{3,})\s*([\w+#.-]*)\s*$/`. Returns the fence
 * (the first group) or undefined.
 */
export function matchFenceLine(line: string): string | undefined {
  const ch = line[0];
  if (ch !== '`' && ch !== '~') return undefined;
  let n = 0;
  while (line[n] === ch) n++;
  if (n < 3) return undefined;
  let i = n;
  while (isSpace(line[i])) i++;
  let j = i;
  while (j < line.length) {
    const c = line.charCodeAt(j);
    if (!(isWordChar(c) || c === 43 || c === 35 || c === 46 || c === 45)) break; // + # . -
    j++;
  }
  for (let q = j; q < line.length; q++) if (!isSpace(line[q])) return undefined;
  return line.slice(0, n);
}

/** `text.replace(/<think>[\s\S]*?<\/think>/gi, '')`: every closed reasoning span removed. */
export function removeThinkSpans(text: string): string {
  const open = /<think>/gi;
  const close = /<\/think>/gi;
  let out = '';
  let kept = 0;
  for (;;) {
    open.lastIndex = kept;
    const o = open.exec(text);
    if (!o) break;
    close.lastIndex = o.index + o[0].length;
    const c = close.exec(text);
    // No close after this open: none after a later one either.
    if (!c) break;
    out += text.slice(kept, o.index);
    kept = c.index + c[0].length;
  }
  return kept === 0 ? text : out + text.slice(kept);
}

const ANSWER_START = /~~~|```|FILE\s*:|AFTER\s*:|PASS|FAIL/iy;

/**
 * `/^\s*(~~~|```|FILE\s*:|AFTER\s*:|PASS|FAIL)/im.test(text)`: some line starts, after
 * whitespace, with the start of an answer (a block, an edit or pattern keyword, a verdict word).
 * Whitespace may span lines there, as `\s*` does.
 */
export function lineStartsWithAnswer(text: string): boolean {
  const startsAnswer = (q: number): boolean => {
    ANSWER_START.lastIndex = q;
    return ANSWER_START.test(text);
  };
  if (text.length > 0 && !isSpace(text[0]) && startsAnswer(0)) return true;
  // Each run of whitespace: the text after it is at a line start when the run begins the text or
  // holds a line terminator.
  const runs = /\s+/g;
  for (let m = runs.exec(text); m; m = runs.exec(text)) {
    const end = m.index + m[0].length;
    if (end >= text.length) break;
    let atLineStart = m.index === 0;
    for (let q = m.index; q < end && !atLineStart; q++) atLineStart = isLineTerminator(text[q]);
    if (atLineStart && startsAnswer(end)) return true;
  }
  return false;
}

/**
 * The old verdict label, `/\bverdict\b[\s*_`]*[:=]?[\s*_`]*([A-Za-z_]+)[\s*_`]*[:.\-–—]?\s*([\s\S]*)$/i`
 * (its two runs of decoration around an optional ":" backtracked in quadratic time): the word
 * after the first label that has one, and the text after that word.
 */
export function matchVerdictLabel(text: string): { word: string; rest: string } | undefined {
  const label = /\bverdict\b/gi;
  const deco = (c: string | undefined) => c !== undefined && (isSpace(c) || c === '*' || c === '_' || c === '`');
  const letter = (c: string | undefined) => c !== undefined && /[A-Za-z_]/.test(c);
  const decoEnd = (i: number) => {
    while (deco(text[i])) i++;
    return i;
  };
  // "_" is decoration and a letter both: where the expression backtracks, the word is the last
  // "_" of the decoration before the place it needed a letter.
  const lastUnderscore = (from: number, to: number) => {
    for (let i = to - 1; i >= from; i--) if (text[i] === '_') return i;
    return -1;
  };
  for (let m = label.exec(text); m; m = label.exec(text)) {
    const v = m.index + m[0].length;
    const a = decoEnd(v);
    let start: number;
    if (text[a] === ':' || text[a] === '=') {
      const b = decoEnd(a + 1);
      start = letter(text[b]) ? b : lastUnderscore(a + 1, b);
      if (start < 0) start = lastUnderscore(v, a);
    } else {
      start = letter(text[a]) ? a : lastUnderscore(v, a);
    }
    if (start < 0) continue;
    let j = start;
    while (letter(text[j])) j++;
    const after = /[\s*_`]*[:.\-–—]?\s*/y;
    after.lastIndex = j;
    after.test(text);
    return { word: text.slice(start, j), rest: text.slice(after.lastIndex) };
  }
  return undefined;
}

/** A keyword line of an edit or pattern answer: the keyword and the value after it (undefined
 * where the expression's group did not take part). */
export type KeyLine = { key: string; value?: string } | undefined;

function hasLineTerminator(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (isLineTerminator(s[i])) return true;
  return false;
}

/**
 * Keyword lines, trimmed, of edit (FILE/FIND/REPLACE/END) and pattern (SCOPE/AFTER/INSERT/END)
 * answers. `strict` is `/^(K1|K2|…)\s*(?::\s*(.*))?$/` (the keyword alone, or with ":" and a
 * value), else the earlier `/^(K1|K2|…)\s*:?\s*(.*)$/`; their runs of spaces around ":"
 * backtracked in quadratic (strict) and cubic (earlier) time on a line holding U+2028, which `.`
 * does not match. No keyword may begin another.
 */
export function keyLineMatcher(keywords: readonly string[], strict: boolean): (line: string) => KeyLine {
  return (line) => {
    const key = keywords.find((k) => line.startsWith(k));
    if (key === undefined) return undefined;
    const rest = line.slice(key.length);
    if (strict && rest === '') return { key };
    let i = 0;
    while (isSpace(rest[i])) i++;
    if (rest[i] === ':') i++;
    else if (strict) return undefined;
    while (isSpace(rest[i])) i++;
    const value = rest.slice(i);
    return hasLineTerminator(value) ? undefined : { key, value };
  };
}
