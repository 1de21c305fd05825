// Parse the verifier's answer into a verdict (SPEC §2 "Verification and retry"). Pure.
//
// Two ways to ask: structured output (the chat request's `format` is VERDICT_SCHEMA, so the
// server makes the model answer {"verdict": "PASS" | "FAIL", "reason": "..."}; nothing is
// guessed), and WorkSplit's text answers for a server or model that cannot do that. The text
// rules only ever err towards FAIL: a wrong FAIL costs a retry, a wrong PASS ships a wrong file.
import { type NewerRules, decide } from './newer-rules';
import { stripLeadingThinking, stripThinking } from './output-parse';
import { matchVerdictLabel } from './line-match';

export type VerdictKind = 'PASS' | 'PASS_WITH_WARNINGS' | 'FAIL_SOFT' | 'FAIL_HARD' | 'FAIL';

export interface Verdict {
  kind: VerdictKind;
  passed: boolean;
  /** The text after the verdict word (the reason, or the warnings). */
  reason: string;
}

/** The JSON schema a verification call asks the server to answer in (Ollama's `format`). */
export const VERDICT_SCHEMA = {
  type: 'object',
  // The reason first: the server has the model write it before it commits to a verdict.
  properties: {
    reason: { type: 'string' },
    verdict: { type: 'string', enum: ['PASS', 'FAIL'] },
  },
  required: ['reason', 'verdict'],
} as const;

/** How a verification call asks for its verdict: worksplit.toml [ollama] verdicts. */
export type VerdictFormat = 'structured' | 'text';

/** The rules added over time, for a workflow replaying a job that started before one of them. */
export interface VerdictRules {
  /** 'answers-parsed-strictly': a "Verdict:" label, a denied pass. */
  strict?: NewerRules;
  /** 'verdict-words': "pass" only as a word, and never around a question, condition or denial. */
  words?: NewerRules;
}

const WORDS: VerdictKind[] = ['PASS_WITH_WARNINGS', 'FAIL_SOFT', 'FAIL_HARD', 'PASS', 'FAIL'];
const UNCLEAR = 'unclear verification response';

function verdict(kind: VerdictKind, reason: string): Verdict {
  return { kind, passed: kind === 'PASS' || kind === 'PASS_WITH_WARNINGS', reason: reason.trim() };
}

const unclear = (why = UNCLEAR): Verdict => ({ kind: 'FAIL_HARD', passed: false, reason: why });

/** A text answer's verdict. `rules` is given only by workflow code (see VerdictRules). */
export function parseVerdict(answer: string, rules: VerdictRules | NewerRules = {}): Verdict {
  const r: VerdictRules = typeof rules === 'function' ? { strict: rules } : rules;
  const beforeWords = () => decide(() => parseWith(answer, false), () => parseWith(answer, true), r.strict);
  return decide(beforeWords, () => parseWords(answer), r.words);
}

/**
 * The answer to a verification call that asked for VERDICT_SCHEMA. A server that ignored
 * `format` answered in text: that is read with the word rules, and what they cannot read fails.
 */
export function parseStructuredVerdict(answer: string): Verdict {
  const text = unfenced(stripLeadingThinking(answer));
  const json = jsonObject(text);
  // JSON that does not parse is a cut answer, not text to read words from.
  if (!json && text.startsWith('{')) return unclear(`${UNCLEAR}: the JSON verdict is incomplete`);
  if (json) {
    const word = typeof json.verdict === 'string' ? json.verdict.trim().toUpperCase() : '';
    const reason = typeof json.reason === 'string' ? json.reason : '';
    // A server that ignored the schema may repeat the key; JSON.parse keeps the last.
    if ((text.match(/"verdict"\s*:/g) ?? []).length > 1) return unclear(`${UNCLEAR}: the JSON gives more than one verdict`);
    if (word === 'PASS') return contradicts(sameQuotes(reason)) ? verdict('FAIL', `the verdict is PASS but its reason rejects the files: ${reason}`) : verdict('PASS', '');
    if (word === 'FAIL') return verdict('FAIL', reason || 'no reason given');
    return unclear(`${UNCLEAR}: the verdict field is ${describeValue(json.verdict)}, not "PASS" or "FAIL"`);
  }
  const words = parseWords(answer);
  return words.kind === 'FAIL_HARD' && words.reason === UNCLEAR ? unclear(`${UNCLEAR}: neither the JSON verdict asked for nor a clear verdict word`) : words;
}

/** Some servers wrap the JSON in a code fence. */
function unfenced(text: string): string {
  const t = text.trim();
  if (!t.startsWith('```') || !t.endsWith('```')) return t;
  const firstBreak = t.indexOf('\n');
  const lastBreak = t.lastIndexOf('\n');
  if (firstBreak < 0 || lastBreak <= firstBreak || !/^```(json)?[ \t]*$/i.test(t.slice(0, firstBreak))) return t;
  return t.slice(firstBreak + 1, lastBreak).trim();
}

/** A JSON value in a few characters, whatever its depth. */
function describeValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.slice(0, 40));
  if (v === null || v === undefined) return 'missing';
  return Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'an object' : String(v);
}

function jsonObject(t: string): Record<string, unknown> | undefined {
  if (!t.startsWith('{')) return undefined;
  try {
    const v: unknown = JSON.parse(t);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

// The earlier rules, kept for jobs that replay from before the word rules.
function parseWith(answer: string, strict: boolean): Verdict {
  const text = (strict ? stripLeadingThinking(answer) : stripThinking(answer)).trim();
  // The first word decides, ignoring markdown emphasis and punctuation around it.
  const m = /^[\s*_#`>-]*([A-Za-z_]+)[\s*_`]*[:.\-–—]?\s*([\s\S]*)$/.exec(text);
  if (m) {
    const word = m[1].toUpperCase();
    const kind = WORDS.find((w) => w === word);
    if (kind) return verdict(kind, m[2]);
  }
  if (strict) {
    // "Verdict: FAIL - reason" and the like: a verdict word after a label.
    const labelled = matchVerdictLabel(text);
    const kind = labelled && WORDS.find((w) => w === labelled.word.toUpperCase());
    if (labelled && kind) return verdict(kind, labelled.rest);
    // "does not pass", "won't pass": a denied pass is no pass.
    if (/\b(not|never|cannot|can't|won't|doesn't|didn't|isn't|wouldn't|no longer)\b(\s+\w+){0,2}\s+pass/i.test(text)) return unclear();
  }
  const lower = text.toLowerCase();
  if (lower.includes('pass') && !lower.includes('fail')) return verdict('PASS', '');
  return unclear();
}

// ---- The word rules ----------------------------------------------------------------------
// Each step may only err towards FAIL. A pass needs an explicit verdict word that nothing around
// it questions, conditions, strikes out or contradicts.

/** Markdown and punctuation a model puts around a verdict word. */
const DECORATION = /^[\s*_#`>~"'“”[\](){}.:=-]+|[\s*_#`>~"'“”[\](){}.:!=-]+$/g;

/** Question marks, in any script. */
const QUESTION_MARKS = '?？‽⁇¿⸮؟';
const QUESTION = new RegExp(`[${QUESTION_MARKS}]`);

/** Between a verdict word and what qualifies it: spaces, punctuation, brackets, emphasis, ellipses,
 * invisible characters. */
const BETWEEN = /^[\s,.;:!\-–—…()[\]{}"'“”‘’*_`~\u200b-\u200f\u2060\ufeff]*/;

/** Right after "PASS" (past BETWEEN), what makes it no verdict: a question, a condition, or a
 * template echoed back ("PASS/FAIL", "PASS or FAIL"). */
const HEDGE = new RegExp(String.raw`^(?:[${QUESTION_MARKS}/|]|(?:only|if|unless|when|once|after|provided|assuming|but|except|however|though|although|pending|until|or|as\s+long\s+as|so\s+long\s+as|subject\s+to)\b)`, 'i');

/** An explicit rejection anywhere in the answer contradicts a pass ("Reject it", "FAIL"); a
 * description of code that rejects input does not. */
const REJECTION =
  /\b(?:rejected|rejecting|reject\s+(?:it|this|that|the\s+(?:file|files|change|code|output|answer|submission))|I\s+reject|refused|refusing|refuse\s+(?:it|this)|I\s+refuse|declined|declining|I\s+decline|denied|unacceptable|not\s+acceptable|do\s+not\s+(?:ship|merge)|don't\s+(?:ship|merge)|must\s+not\s+(?:ship|merge|pass))\b/i;

/** A failing verdict word, in capitals as verdicts are written ("the tests may fail" is none). */
const FAIL_WORD = /\bFAIL(?:_SOFT|_HARD)?\b/;

const contradicts = (text: string) => REJECTION.test(text) || FAIL_WORD.test(text)

/** Words that, anywhere in a verdict written as prose, mean it is no plain pass: a denial, a
 * rejection, a condition, a doubt. Prose passes are rare; when in doubt it is a FAIL. */
const DOUBT =
  /\b(fail\w*|not|no|never|none|nothing|cannot|can't|won't|doesn't|don't|didn't|isn't|aren't|wasn't|weren't|wouldn't|shouldn't|couldn't|unable|impossible|risky|too|reject\w*|refus\w*|declin\w*|den(?:y|ied|ies)|incorrect\w*|invalid|wrong|missing|lacks?|mistake\w*|error\w*|bugs?|broken|issues?|problems?|should|would|could|might|may|if|unless|only|once|until|assuming|provided|pending|but|however|except|although|though|yet|on|pas)\b/i;

/** The same apostrophe for every way of writing one ("can’t"). */
const sameQuotes = (text: string) => text.replace(/[’‘´`]/g, "'");

/** The kind a verdict word names (exactly, in any letter case), or undefined. */
function kindOf(word: string): VerdictKind | undefined {
  const w = word.toUpperCase();
  return WORDS.find((k) => k === w);
}

const isPass = (k: VerdictKind) => k === 'PASS' || k === 'PASS_WITH_WARNINGS';

/** The leading word of `text` (letters and underscores), after markdown and punctuation;
 * `struck`: it is struck out (~~PASS~~). */
function leadingWord(text: string): { word: string; rest: string; struck: boolean } | undefined {
  let i = 0;
  while (i < text.length && ' \t\r\n*_#`>-~"\'“[('.includes(text[i])) i++;
  let j = i;
  while (j < text.length && /[A-Za-z_]/.test(text[j])) j++;
  if (j === i) return undefined;
  return { word: text.slice(i, j), rest: text.slice(j), struck: text.slice(0, i).includes('~~') };
}

/** After a verdict word: the emphasis and one separator, then the reason. */
function reasonAfter(rest: string): string {
  return rest.replace(/^[\s*_`]*[:.\-–—]?\s*/, '');
}

/** A verdict at the start of `text` ("PASS", "**FAIL**: reason"); 'hedged' when a pass there is
 * questioned, conditioned, struck out or contradicted by `whole` (the answer). */
function verdictAt(text: string, whole: string): Verdict | 'hedged' | undefined {
  const lead = leadingWord(text);
  const kind = lead && kindOf(lead.word);
  if (!lead || !kind) return undefined;
  if (lead.struck) return 'hedged';
  if (!isPass(kind)) return verdict(kind, reasonAfter(lead.rest));
  const next = lead.rest.slice(0, 400).replace(BETWEEN, '');
  if (HEDGE.test(next)) return 'hedged';
  // A pass with a rejection or a failing verdict elsewhere in the answer is no pass.
  if (contradicts(kind === 'PASS' ? whole : whole.replace(/^[\s\S]*?PASS_WITH_WARNINGS/i, ''))) return 'hedged';
  return verdict(kind, reasonAfter(lead.rest));
}

/** The last "Verdict:" label that starts a line or a sentence ("Final verdict: FAIL", "The verdict
 * is PASS"), not one inside a sentence ("I cannot give a verdict: PASS would be wrong"). */
function lastLabel(text: string): number | undefined {
  let found: number | undefined;
  const label = /\bverdict\b[\s*_`]*(?::|=|\bis\b)[\s*_`]*/gi;
  for (let m = label.exec(text); m; m = label.exec(text)) {
    const from = Math.max(0, m.index - 60);
    const before = `${from === 0 ? '\n' : ''}${text.slice(from, m.index)}`;
    if (/[\n.!;][\s*_#>`-]*(?:(?:the|my|final|overall|review|reviewer's)\s+){0,3}$/i.test(before)) found = m.index + m[0].length;
  }
  return found;
}

function parseWords(answer: string): Verdict {
  const text = sameQuotes(stripLeadingThinking(answer).trim());
  // 1. The first word, when it is a verdict word.
  const first = verdictAt(text, text);
  if (first === 'hedged') return unclear();
  if (first) return first;
  // 2. The last "Verdict:" label decides, whatever word follows it: anything but a pass there
  //    ("Verdict: REJECTED") is a fail, with that text as reason.
  const at = lastLabel(text);
  if (at !== undefined) {
    const after = text.slice(at);
    const v = verdictAt(after, after);
    if (v === 'hedged') return unclear();
    if (v) return v;
    const reason = after.split('\n')[0].trim();
    return verdict('FAIL', reason || UNCLEAR);
  }
  // 3. Lines that hold a verdict word alone ("...review...\n\n**PASS**"): they must agree, and a
  //    pass there stands only in an answer with no question and no rejection in it.
  const alone = new Set<VerdictKind>();
  for (const line of text.split('\n')) {
    // Short lines only: DECORATION's trailing run is quadratic on a long line of it.
    if (line.length > 80 || line.includes('~~')) continue;
    const bare = line.replace(DECORATION, '');
    if (bare.length > 0 && bare.length <= 20 && /^[A-Za-z_]+$/.test(bare)) {
      const kind = kindOf(bare);
      if (kind) alone.add(kind);
    }
  }
  if (alone.size === 1) {
    const kind = [...alone][0];
    if (isPass(kind) && (QUESTION.test(text) || contradicts(text))) return unclear();
    return verdict(kind, '');
  }
  if (alone.size > 1) return unclear();
  // 4. Prose: "pass" as a word, with nothing around it that questions, conditions or denies it.
  if (/\bpass(es|ed)?\b/i.test(text) && !DOUBT.test(text) && !QUESTION.test(text)) return verdict('PASS', '');
  return unclear();
}
