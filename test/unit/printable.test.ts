import { formatProblem } from '../../core/job';
import { printable, reasonLine } from '../../core/printable';

test('file names with terminal escapes, line breaks and bidirectional marks are shown escaped (held-out probe)', () => {
  const name = 'x\n\u001b[32m✔ all good\u001b[0m\ry\u202e.md';
  expect(printable(name)).toBe('x\\u000a\\u001b[32m✔ all good\\u001b[0m\\u000dy\\u202e.md');
  expect(formatProblem({ file: `jobs/${name}`, message: 'bad id' })).not.toMatch(/[\n\r\u001b\u202e]/);
  expect(printable('plain_id-1.2')).toBe('plain_id-1.2');
});

test('a reason from the model is one escaped terminal line, cut when long', () => {
  expect(reasonLine('FAIL: bad \u001b[2J\u001b[31mRED\u001b[0m \r\u001b]0;title\u0007 done')).toBe('FAIL: bad \\u001b[2J\\u001b[31mRED\\u001b[0m \\u001b]0;title\\u0007 done');
  expect(reasonLine('problems:\n- a\n- b\n```ts\nx\n```')).toBe('problems: - a - b ```ts x ```');
  const long = reasonLine('x'.repeat(1000));
  expect(long.startsWith(`${'x'.repeat(300)}… (1000 characters`)).toBe(true);
});
