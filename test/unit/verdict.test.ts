import fc from 'fast-check';
import { parseStructuredVerdict, parseVerdict } from '../../core/verdict';

const UNCLEAR = ['FAIL_HARD', false, 'unclear verification response'] as const;

test.each([
  ['PASS', 'PASS', true, ''],
  ['**PASS**', 'PASS', true, ''],
  ['PASS_WITH_WARNINGS: unused import', 'PASS_WITH_WARNINGS', true, 'unused import'],
  ['FAIL_SOFT: naming', 'FAIL_SOFT', false, 'naming'],
  ['FAIL_HARD - does not compile', 'FAIL_HARD', false, 'does not compile'],
  ['FAIL: missing return', 'FAIL', false, 'missing return'],
  ['fail: lower case works', 'FAIL', false, 'lower case works'],
  ['<think>maybe FAIL</think>PASS', 'PASS', true, ''],
  ['The code is complete and correct. It passes.', 'PASS', true, ''],
  ['I reviewed both files against the instructions.\n\n**PASS**', 'PASS', true, ''],
  ['It would pass but the test will fail.', ...UNCLEAR],
  ['Hmm.', ...UNCLEAR],
  // A denied pass is no pass; a "Verdict:" label decides.
  ['The output does not pass: a.ts is missing parse().', ...UNCLEAR],
  ["This won't pass review.", ...UNCLEAR],
  ['Verdict: FAIL - missing parse()', 'FAIL', false, 'missing parse()'],
  ['**Verdict:** PASS_WITH_WARNINGS: naming', 'PASS_WITH_WARNINGS', true, 'naming'],
  ['The verdict is PASS.', 'PASS', true, ''],
  // Measured on main 0ef9b4e: each of these was read as PASS ("pass" inside a word, or around a
  // question, condition or denial).
  ['The code stores the password in plain text. Reject it.', ...UNCLEAR],
  ['Incorrect: this bypasses the validation the instructions asked for.', ...UNCLEAR],
  ['Should this pass? No. The function is missing.', ...UNCLEAR],
  ['Verdict: REJECTED. It would pass only with the missing function.', 'FAIL', false, 'REJECTED. It would pass only with the missing function.'],
  ['NO. Passing this would be a mistake; the file is empty.', ...UNCLEAR],
  ['The code looks good and should pass.', ...UNCLEAR],
  ['PASS? Not quite: parse() is missing.', ...UNCLEAR],
  ['PASS only if the missing function is added.', ...UNCLEAR],
  ['Verdict: PASS? No.', ...UNCLEAR],
  ['Looks fine.\nPASS\nFAIL', ...UNCLEAR],
])('%j -> %s', (answer, kind, passed, reason) => {
  expect(parseVerdict(answer)).toEqual({ kind, passed, reason });
});

test('a workflow replaying a job from before a rule gets the verdict it got then, and each rule is asked only when it changes the verdict', () => {
  const asked: string[] = [];
  const no = (name: string) => () => (asked.push(name), false);
  const rules = { strict: no('strict'), words: no('words') };
  // Before both rules: "pass" without "fail" was a pass.
  expect(parseVerdict('The output does not pass.', rules)).toEqual({ kind: 'PASS', passed: true, reason: '' });
  expect(asked).toEqual(['strict', 'words']);
  asked.length = 0;
  // Before the word rules only: "pass" inside "password" was a pass.
  expect(parseVerdict('The code stores the password in plain text. Reject it.', { strict: () => true, words: no('words') })).toEqual({ kind: 'PASS', passed: true, reason: '' });
  expect(asked).toEqual(['words']);
  asked.length = 0;
  expect(parseVerdict('PASS', rules)).toEqual({ kind: 'PASS', passed: true, reason: '' });
  expect(asked).toEqual([]);
});

describe('structured verdicts (the answer to a call that asked for the JSON schema)', () => {
  test.each([
    ['{"verdict":"PASS","reason":"complete"}', 'PASS', true, ''],
    ['{"verdict": "FAIL", "reason": "parse() is missing"}', 'FAIL', false, 'parse() is missing'],
    ['  {"verdict":"fail","reason":""}\n', 'FAIL', false, 'no reason given'],
    ['<think>hmm</think>{"verdict":"PASS","reason":"ok"}', 'PASS', true, ''],
    ['```json\n{"verdict":"PASS","reason":"ok"}\n```', 'PASS', true, ''],
  ])('%j -> %s', (answer, kind, passed, reason) => {
    expect(parseStructuredVerdict(answer)).toEqual({ kind, passed, reason });
  });

  test('a verdict field that is neither PASS nor FAIL fails, naming it', () => {
    expect(parseStructuredVerdict('{"verdict":"MAYBE","reason":"x"}')).toMatchObject({ passed: false, reason: expect.stringContaining('"MAYBE"') });
    expect(parseStructuredVerdict('{"reason":"x"}')).toMatchObject({ passed: false, reason: expect.stringContaining('null') });
  });

  test('a server that ignored the schema: its text is read with the word rules, and unclear text fails saying so', () => {
    expect(parseStructuredVerdict('PASS')).toMatchObject({ kind: 'PASS', passed: true });
    expect(parseStructuredVerdict('FAIL: x')).toMatchObject({ kind: 'FAIL', passed: false, reason: 'x' });
    expect(parseStructuredVerdict('{"verdict":"PASS"')).toMatchObject({ passed: false, reason: expect.stringContaining('incomplete') });
    expect(parseStructuredVerdict('Should this pass? No.')).toMatchObject({ passed: false, reason: expect.stringContaining('neither the JSON verdict') });
  });
});

describe('no wrong pass', () => {
  const denial = fc.constantFrom('Reject it.', 'Incorrect.', 'It would pass only if', 'Should this pass? No.', 'does not pass', 'Passing this would be a mistake', 'missing', 'not');
  const filler = fc.constantFrom('The code', 'looks', 'pass', 'passes', 'password', 'bypass', 'compass', 'fine', '.', '\n', ' ', 'ok', 'function');

  test('prose with a denial, question or condition in it is never a pass, wherever it stands', () => {
    fc.assert(
      fc.property(fc.array(filler, { maxLength: 12 }), denial, fc.array(filler, { maxLength: 12 }), (before, d, after) => {
        const text = `${before.join(' ')} ${d} ${after.join(' ')}`;
        // Unless the answer starts with a verdict word, which decides (WorkSplit's first rule), or
        // has one alone on a line, the way models end a review.
        fc.pre(!/^\s*\**\s*(PASS|FAIL)/i.test(text) && !/^[\s.*]*(PASS|FAIL)[\s.*]*$/im.test(text));
        expect(parseVerdict(text).passed).toBe(false);
      }),
      { numRuns: 3000 },
    );
  });

  test('"pass" inside another word is never a pass', () => {
    fc.assert(
      fc.property(fc.constantFrom('password', 'bypass', 'compass', 'passport', 'passive', 'trespass', 'impasse'), fc.string({ maxLength: 20 }), (word, noise) => {
        const text = `${noise.replace(/[a-z]/gi, ' ')} ${word} ${word}.`;
        expect(parseVerdict(text).passed).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });
});
