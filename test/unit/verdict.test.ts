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
    expect(parseStructuredVerdict('{"reason":"x"}')).toMatchObject({ passed: false, reason: expect.stringContaining('missing') });
    // Deeply nested: named, not stringified (that overflowed the stack).
    expect(parseStructuredVerdict(`{"verdict":${'['.repeat(10_000)}${']'.repeat(10_000)},"reason":"x"}`)).toMatchObject({ passed: false });
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

// Found by a hostile probe on the first version of these rules: each was read as PASS.
test.each([
  'PASS, if you fix the SQL injection first.',
  'PASS (if the tests are added)',
  'PASS: only if the caller sanitizes input',
  'PASS - only after the bug is fixed',
  'PASS: unless you care about correctness',
  'PASS… if you squint',
  'PASS (only if the tests are added; as written it stores the password in plain text, reject)',
  'PASS/FAIL: FAIL',
  'Pass/fail: FAIL - the loop never ends',
  'PASS or FAIL? FAIL.',
  '~~PASS~~ FAIL: the loop never ends',
  'Passes: 0 of 3 checks. FAIL',
  'Passes the password to the logger in plain text. Reject it.',
  'Passed-in values are never validated. FAIL.',
  'This can’t pass.',
  'It doesn’t pass.',
  'This won’t pass: the parser crashes on empty input.',
  'Unable to pass this file.',
  'Too risky to pass.',
  'Impossible to pass as written.',
  'Refusing to pass this: it leaks the key.',
  'Declined. I decline to pass this file.',
  'Denied pass.',
  "I'll pass on this one, it leaks memory.",
  'It will pass once the null check is added.',
  'Passes, assuming the input is trusted.',
  'Ne pass pas. Rejeté.',
  'I cannot give a verdict: PASS would be wrong here.',
  'Previous verdict: PASS. New verdict: FAIL - the loop never ends',
  'The verdict - PASS - was given by the earlier reviewer; I reject it.',
  'Does it compile?\nPASS\nIs it correct?\nNo — reject.',
  'My first thought was:\n~~PASS~~\nOn reflection the code is rejected.',
  'PASS？',
  'PASS\u200b?',
  'PASS (?)',
  'PASS...?',
  'PASS!?',
  'PASS‽',
  'PASS. Reject it.',
])('no pass: %j', (answer) => {
  expect(parseVerdict(answer).passed).toBe(false);
  expect(parseStructuredVerdict(answer).passed).toBe(false);
});

test.each([
  'PASS',
  'PASS\nThe parser handles every case the instructions list.',
  'PASS: the function rejects negative numbers as asked.',
  'PASS_WITH_WARNINGS: the test may fail on Windows paths',
  'Verdict: PASS',
  '**Final verdict:** PASS',
  'The code does what was asked.\n\n**PASS**',
])('still a pass: %j', (answer) => {
  expect(parseVerdict(answer).passed).toBe(true);
});

test('structured: a PASS whose reason rejects the files is a FAIL that says so; a repeated verdict key is unclear', () => {
  expect(parseStructuredVerdict('{"verdict":"PASS","reason":"REJECT: SQL injection in login(); do not ship"}')).toMatchObject({ passed: false, reason: expect.stringContaining('its reason rejects the files') });
  expect(parseStructuredVerdict('{"reason":"ok","verdict":"PASS"}')).toMatchObject({ passed: true });
  expect(parseStructuredVerdict('{"verdict":"FAIL","verdict":"PASS"}')).toMatchObject({ passed: false, reason: expect.stringContaining('more than one verdict') });
});
