// Parse the verifier's answer into a verdict (SPEC §2 "Verification and retry"). Pure.
import { type NewerRules, decide } from './newer-rules';
import { stripLeadingThinking, stripThinking } from './output-parse';

export type VerdictKind = 'PASS' | 'PASS_WITH_WARNINGS' | 'FAIL_SOFT' | 'FAIL_HARD' | 'FAIL';

export interface Verdict {
  kind: VerdictKind;
  passed: boolean;
  /** The text after the verdict word (the reason, or the warnings). */
  reason: string;
}

const WORDS: VerdictKind[] = ['PASS_WITH_WARNINGS', 'FAIL_SOFT', 'FAIL_HARD', 'PASS', 'FAIL'];

function verdict(kind: VerdictKind, reason: string): Verdict {
  return { kind, passed: kind === 'PASS' || kind === 'PASS_WITH_WARNINGS', reason: reason.trim() };
}

export function parseVerdict(answer: string, newerRules?: NewerRules): Verdict {
  return decide(() => parseWith(answer, false), () => parseWith(answer, true), newerRules);
}

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
    const labelled = /\bverdict\b[\s*_`]*[:=]?[\s*_`]*([A-Za-z_]+)[\s*_`]*[:.\-–—]?\s*([\s\S]*)$/i.exec(text);
    const kind = labelled && WORDS.find((w) => w === labelled[1].toUpperCase());
    if (labelled && kind) return verdict(kind, labelled[2]);
    // "does not pass", "won't pass": a denied pass is no pass (SPEC's "pass without fail" rule,
    // which would ship what the reviewer rejected).
    if (/\b(not|never|cannot|can't|won't|doesn't|didn't|isn't|wouldn't|no longer)\b(\s+\w+){0,2}\s+pass/i.test(text)) {
      return { kind: 'FAIL_HARD', passed: false, reason: 'unclear verification response' };
    }
  }
  const lower = text.toLowerCase();
  if (lower.includes('pass') && !lower.includes('fail')) return { kind: 'PASS', passed: true, reason: '' };
  return { kind: 'FAIL_HARD', passed: false, reason: 'unclear verification response' };
}
