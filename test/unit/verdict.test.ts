import { parseVerdict } from '../../core/verdict';

test.each([
  ['PASS', 'PASS', true, ''],
  ['**PASS**', 'PASS', true, ''],
  ['PASS_WITH_WARNINGS: unused import', 'PASS_WITH_WARNINGS', true, 'unused import'],
  ['FAIL_SOFT: naming', 'FAIL_SOFT', false, 'naming'],
  ['FAIL_HARD - does not compile', 'FAIL_HARD', false, 'does not compile'],
  ['FAIL: missing return', 'FAIL', false, 'missing return'],
  ['fail: lower case works', 'FAIL', false, 'lower case works'],
  ['<think>maybe FAIL</think>PASS', 'PASS', true, ''],
  ['The code looks good and should pass.', 'PASS', true, ''],
  ['It would pass but the test will fail.', 'FAIL_HARD', false, 'unclear verification response'],
  ['Hmm.', 'FAIL_HARD', false, 'unclear verification response'],
  // A denied pass is no pass; a verdict word after a "Verdict:" label decides.
  ['The output does not pass: a.ts is missing parse().', 'FAIL_HARD', false, 'unclear verification response'],
  ["This won't pass review.", 'FAIL_HARD', false, 'unclear verification response'],
  ['Verdict: FAIL - missing parse()', 'FAIL', false, 'missing parse()'],
  ['**Verdict:** PASS_WITH_WARNINGS: naming', 'PASS_WITH_WARNINGS', true, 'naming'],
])('%j -> %s', (answer, kind, passed, reason) => {
  expect(parseVerdict(answer)).toEqual({ kind, passed, reason });
});

test('a workflow replaying a job from before these rules gets the earlier verdict, and is asked only when they differ', () => {
  let asked = 0;
  const earlier = () => (asked++, false);
  expect(parseVerdict('The output does not pass.', earlier)).toEqual({ kind: 'PASS', passed: true, reason: '' });
  expect(parseVerdict('PASS', earlier)).toEqual({ kind: 'PASS', passed: true, reason: '' });
  expect(asked).toBe(1);
});
