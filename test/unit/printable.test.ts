import { formatProblem } from '../../core/job';
import { printable } from '../../core/printable';

test('file names with terminal escapes, line breaks and bidirectional marks are shown escaped (held-out probe)', () => {
  const name = 'x\n\u001b[32m✔ all good\u001b[0m\ry\u202e.md';
  expect(printable(name)).toBe('x\\u000a\\u001b[32m✔ all good\\u001b[0m\\u000dy\\u202e.md');
  expect(formatProblem({ file: `jobs/${name}`, message: 'bad id' })).not.toMatch(/[\n\r\u001b\u202e]/);
  expect(printable('plain_id-1.2')).toBe('plain_id-1.2');
});
