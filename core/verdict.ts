// Parse the verifier's answer into a verdict (SPEC §2 "Verification and retry"). Pure.
import { stripThinking } from './output-parse';

export type VerdictKind = 'PASS' | 'PASS_WITH_WARNINGS' | 'FAIL_SOFT' | 'FAIL_HARD' | 'FAIL';

export interface Verdict {
  kind: VerdictKind;
  passed: boolean;
  /** The text after the verdict word (the reason, or the warnings). */
  reason: string;
}

const WORDS: VerdictKind[] = ['PASS_WITH_WARNINGS', 'FAIL_SOFT', 'FAIL_HARD', 'PASS', 'FAIL'];

export function parseVerdict(answer: string): Verdict {
  const text = stripThinking(answer).trim();
  // The first word decides, ignoring markdown emphasis and punctuation around it.
  const m = /^[\s*_#`>-]*([A-Za-z_]+)[\s*_`]*[:.\-–—]?\s*([\s\S]*)$/.exec(text);
  if (m) {
    const word = m[1].toUpperCase();
    const kind = WORDS.find((w) => w === word);
    if (kind) return { kind, passed: kind === 'PASS' || kind === 'PASS_WITH_WARNINGS', reason: m[2].trim() };
  }
  const lower = text.toLowerCase();
  if (lower.includes('pass') && !lower.includes('fail')) return { kind: 'PASS', passed: true, reason: '' };
  return { kind: 'FAIL_HARD', passed: false, reason: 'unclear verification response' };
}
