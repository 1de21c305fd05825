import { assertWritablePath, normalizeProjectPath, protectedReason } from '../../core/paths';

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


test('a ":" in a written name is refused: on Windows it opens a stream of another file or folder', () => {
  for (const p of ['.git::$INDEX_ALLOCATION/f.ts', 'worksplit.toml::$DATA', 'GIT~1::$INDEX_ALLOCATION/x', 'src/a.ts:hidden']) {
    expect(() => assertWritablePath(p)).toThrow(/contains ":" \(rule: no ":" in written names/);
  }
  expect(assertWritablePath('src/a-b_c.d.ts')).toBe('src/a-b_c.d.ts');
});

test('letters a case-insensitive disk folds (the long s) do not get past the protected names', () => {
  expect(() => assertWritablePath('node_module\u017f/x.js')).toThrow(/node_modules/);
  expect(() => assertWritablePath('work\u017fplit.toml')).toThrow(/configuration/);
  expect(() => assertWritablePath('job\u017f/a.md')).toThrow(/inside jobs\//);
});

test('zero-width characters are shown escaped in messages', () => {
  expect(() => assertWritablePath('.git\u200d/f.ts')).toThrow(/"\.git\\u200d\/f\.ts"/);
});

test('the newer name rules are asked about only the paths they alone refuse, and a "no" keeps the earlier rules', () => {
  const asked: string[] = [];
  const earlier = (p: string) => () => (asked.push(p), false);
  // Refused by the earlier rules too: not asked, refused.
  expect(() => assertWritablePath('.git/x', earlier('.git/x'))).toThrow(/inside \.git/);
  // Allowed by both: not asked.
  expect(assertWritablePath('src/a.ts', earlier('src/a.ts'))).toBe('src/a.ts');
  // Refused only by the newer rules: asked; "no" (a job replaying from before them) allows it.
  expect(assertWritablePath('notes/v1:draft.md', earlier('notes/v1:draft.md'))).toBe('notes/v1:draft.md');
  expect(assertWritablePath('node_module\u017f/x.js', earlier('long s'))).toBe('node_module\u017f/x.js');
  expect(asked).toEqual(['notes/v1:draft.md', 'long s']);
  expect(protectedReason('notes/v1:draft.md', () => true)).toMatch(/contains ":"/);
});
