// The linear matchers give exactly what the regular expressions they replace gave (those are the
// oracles here, on lines short enough for their backtracking), so jobs that ran before replay as
// they ran; and they stay linear where the expressions were quadratic.
import fc from 'fast-check';
import { isCloseLine, keyLineMatcher, lineStartsWithAnswer, matchFenceLine, matchOpenLine, matchVerdictLabel, removeThinkSpans } from '../../core/line-match';

const OPEN = /^~~~\s*worksplit(?:\s*:\s*(\S.*?)|\s+(\S+))?\s*$/i;
const CLOSE = /^~~~\s*worksplit\s*$/i;
const FENCE = /^(`{3,}|~{3,})\s*([\w+#.-]*)\s*$/;
const LABEL = /\bverdict\b[\s*_`]*[:=]?[\s*_`]*([A-Za-z_]+)[\s*_`]*[:.\-–—]?\s*([\s\S]*)$/i;
const ANSWER_START = /^\s*(~~~|```|FILE\s*:|AFTER\s*:|PASS|FAIL)/im;

/** Text built from the pieces that matter to these expressions, so random strings hit them. */
const pieces = (...extra: string[]) =>
  fc.array(fc.constantFrom('~~~', '~', '`', '```', 'worksplit', 'WorkSplit', 'wor\u212Asplit', ':', ' ', '\t', '\n', '\r', '\u2028', '\u00a0', 'a', 'src/x.ts', '.', '-', '+', '#', '!', ...extra), { maxLength: 14 }).map((a) => a.join(''));

const runs = { numRuns: 5000 };

test('matchOpenLine is the OPEN expression', () => {
  fc.assert(
    fc.property(pieces(), (raw) => {
      const line = raw.trim();
      const m = OPEN.exec(line);
      const got = matchOpenLine(line);
      expect(got === undefined).toBe(m === null);
      if (m && got) expect(got.path).toBe(m[1]);
    }),
    runs,
  );
});

test('isCloseLine is the CLOSE expression', () => {
  fc.assert(fc.property(pieces(), (raw) => expect(isCloseLine(raw.trim())).toBe(CLOSE.test(raw.trim()))), runs);
});

test('matchFenceLine is the FENCE expression', () => {
  fc.assert(
    fc.property(pieces('ts', 'c++', '_', 'é'), (raw) => {
      const line = raw.trim();
      expect(matchFenceLine(line)).toBe(FENCE.exec(line)?.[1]);
    }),
    runs,
  );
});

test('removeThinkSpans is the global <think> replace', () => {
  fc.assert(
    fc.property(pieces('<think>', '</think>', '<THINK>', '</Think>', '<think', 'think>'), (text) => {
      expect(removeThinkSpans(text)).toBe(text.replace(/<think>[\s\S]*?<\/think>/gi, ''));
    }),
    runs,
  );
});

test('lineStartsWithAnswer is the multiline answer-start test', () => {
  fc.assert(
    fc.property(pieces('PASS', 'fail', 'FILE', 'AFTER', 'file :', '\u2029', 'x'), (text) => {
      expect(lineStartsWithAnswer(text)).toBe(ANSWER_START.test(text));
    }),
    runs,
  );
});

test('matchVerdictLabel is the old verdict-label expression', () => {
  fc.assert(
    fc.property(pieces('verdict', 'Verdict', 'VERDICT', '**', '_', '=', '—', 'PASS', 'FAIL', 'xverdict'), (text) => {
      const m = LABEL.exec(text);
      const got = matchVerdictLabel(text);
      expect(got === undefined).toBe(m === null);
      if (m && got) expect([got.word, got.rest]).toEqual([m[1], m[2]]);
    }),
    runs,
  );
});

test.each([
  ['edit', ['FILE', 'FIND', 'REPLACE', 'END']],
  ['pattern', ['SCOPE', 'AFTER', 'INSERT', 'END']],
])('keyLineMatcher is the %s keyword expressions, strict and earlier', (_name, keys) => {
  const strict = new RegExp(`^(${keys.join('|')})\\s*(?::\\s*(.*))?$`);
  const earlier = new RegExp(`^(${keys.join('|')})\\s*:?\\s*(.*)$`);
  const asMatch = (k: ReturnType<ReturnType<typeof keyLineMatcher>>) => (k ? [k.key, k.value] : null);
  fc.assert(
    fc.property(pieces(...keys, 'FINDX', 'REPLACEMENT', ':', '\u2028', '\u2029'), (raw) => {
      const line = raw.trim();
      for (const [re, isStrict] of [[strict, true], [earlier, false]] as const) {
        const m = re.exec(line);
        expect(asMatch(keyLineMatcher(keys, isStrict)(line))).toEqual(m ? [m[1], m[2]] : null);
      }
    }),
    runs,
  );
});

test('the matchers take linear work on the inputs that made the expressions quadratic', () => {
  // Each of these kept an expression busy for minutes or more at this size (hours for the first);
  // the matchers answer at once, so this test ends instead of timing out.
  const n = 300_000;
  const spaces = ' '.repeat(n);
  expect(matchOpenLine(`~~~worksplit:a${spaces}b`)).toEqual({ path: `a${spaces}b` });
  expect(matchFenceLine(`\`\`\`${spaces}!`)).toBeUndefined();
  expect(removeThinkSpans('<think>'.repeat(n / 7))).toBe('<think>'.repeat(n / 7));
  expect(lineStartsWithAnswer(`${'\n'.repeat(n)}x`)).toBe(false);
  expect(matchVerdictLabel(`verdict${spaces}!`)).toBeUndefined();
  // Cubic (earlier) and quadratic (strict) before: U+2028 ends the value `.` could take.
  expect(keyLineMatcher(['FIND'], false)(`FIND${spaces}a\u2028b`)).toBeUndefined();
  expect(keyLineMatcher(['FIND'], true)(`FIND:${spaces}a\u2028b`)).toBeUndefined();
});
