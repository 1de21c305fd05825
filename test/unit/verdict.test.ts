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
])('%j -> %s', (answer, kind, passed, reason) => {
  expect(parseVerdict(answer)).toEqual({ kind, passed, reason });
});
