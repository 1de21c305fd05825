import { assertWritablePath, normalizeProjectPath } from '../../core/paths';

test('normalization', () => {
  expect(normalizeProjectPath('./src//a/../b.ts')).toBe('src/b.ts');
  expect(normalizeProjectPath('src\\win\\x.ts')).toBe('src/win/x.ts');
  expect(normalizeProjectPath('.')).toBe('.');
});

test.each(['/etc/passwd', 'C:/x', '~/x', '../x', 'a/../../x', ''])('%j is rejected', (p) => {
  expect(() => normalizeProjectPath(p)).toThrow();
});

test.each(['.git/config', '.git', 'jobs/archive/a.md', 'jobs/_jobstatus.json', 'jobs/_systemprompt_create.md', '.worksplit/temporal.db', '.'])('%j is not writable', (p) => {
  expect(() => assertWritablePath(p)).toThrow();
});

test('ordinary outputs are writable, including job-like names outside jobs/', () => {
  expect(assertWritablePath('src/_private.ts')).toBe('src/_private.ts');
});

test('names that file systems fold into a protected one are protected too (held-out probe)', () => {
  for (const p of ['jobs', 'JOBS', 'src/.g\u200cit/hooks/pre-commit', '.\u00adgit/config', '\ufeff.git/x', '.git./x', '.git /x', 'node_modules./x', '.worksplit', 'worksplit.toml.']) {
    expect(() => assertWritablePath(p)).toThrow(/rule:/);
  }
  expect(assertWritablePath('src/gitignore.ts')).toBe('src/gitignore.ts');
  expect(assertWritablePath('docs/jobs.md')).toBe('docs/jobs.md');
});

test('Windows short names, which may stand for .git, node_modules or worksplit.toml, are refused with the rule named', () => {
  for (const p of ['GIT~1/hooks/pre-commit', 'src/git~2/config', 'NODE_M~1/.bin/tsc', 'WORKSP~1.TOM', 'worksp~1/temporal.db']) {
    expect(() => assertWritablePath(p)).toThrow(/Windows short name .*rule: no names of the form NAME~1/);
  }
  // Names that only contain a tilde stay writable.
  for (const p of ['src/a~b.ts', 'notes~', 'src/version~1.2.3.txt', 'src/longername~1.ts']) expect(assertWritablePath(p)).toBe(p);
});

