import { confineToDeclared, confineToProject, outsideDir, parseGeneratedFiles, stripThinking } from '../../core/output-parse';

const parse = (answer: string) => parseGeneratedFiles(answer, 'src/main.ts');

test('blocks with a path, without a path and with a language tag', () => {
  const r = parse('Sure.\n~~~worksplit:src/a.ts\nconst a = 1;\n~~~worksplit\ntext\n~~~worksplit\nmain();\n~~~worksplit\n~~~WorkSplit typescript\nx\n~~~WORKSPLIT');
  expect(r).toEqual({ ok: false, error: 'the answer writes src/main.ts twice' });
  const ok = parse('~~~worksplit:src/a.ts\nconst a = 1;\n~~~worksplit\n~~~worksplit typescript\nmain();\n~~~worksplit\n');
  expect(ok).toEqual({ ok: true, files: [{ path: 'src/a.ts', content: 'const a = 1;\n' }, { path: 'src/main.ts', content: 'main();\n' }] });
});

test('a nested code fence and a path heading inside a block are stripped', () => {
  const r = parse('~~~worksplit:src/a.ts\n### src/a.ts\n```typescript\nexport const a = 1;\n```\n~~~worksplit');
  expect(r).toEqual({ ok: true, files: [{ path: 'src/a.ts', content: 'export const a = 1;\n' }] });
});

test('a first line that is a single word is content, not a language tag', () => {
  expect(parse('~~~worksplit\nhello\nworld\n~~~worksplit')).toEqual({ ok: true, files: [{ path: 'src/main.ts', content: 'hello\nworld\n' }] });
});

test('an unclosed block is an error, not silently dropped', () => {
  const r = parse('~~~worksplit:src/a.ts\nconst a');
  expect(r.ok).toBe(false);
  expect(!r.ok && r.error).toMatch(/no closing/);
});

test('with no worksplit block, a single fenced code block is the output; several are ambiguous; none is no code', () => {
  expect(parse('Here:\n```ts\nlet x = 1;\n```\n')).toEqual({ ok: true, files: [{ path: 'src/main.ts', content: 'let x = 1;\n' }] });
  expect(parse('```\na\n```\n```\nb\n```').ok).toBe(false);
  expect(parse('I refuse.')).toEqual({ ok: false, error: expect.stringMatching(/^no code in the answer/) });
  expect(parse('').ok).toBe(false);
});

test('inline thinking is not part of the answer; CRLF answers parse', () => {
  expect(stripThinking('<think>hmm ~~~worksplit</think>done')).toBe('done');
  expect(parse('<think>\n~~~worksplit:evil.ts\n</think>\r\n~~~worksplit\r\nok\r\n~~~worksplit\r\n')).toEqual({ ok: true, files: [{ path: 'src/main.ts', content: 'ok\n' }] });
});

test('confineToProject (multi-file answers) takes any writable project path and refuses protected ones', () => {
  const files = ['src/models/user.ts', './docs//x.md'].map((p) => ({ path: p, content: 'x' }));
  expect(confineToProject(files)).toEqual({ ok: true, files: ['src/models/user.ts', 'docs/x.md'].map((p) => ({ path: p, content: 'x' })) });
  // A job never writes jobs/ (a new job file would run with the next batch), nor the configuration.
  for (const bad of ['../x.ts', '/etc/passwd', '.git/config', '.worksplit/temporal.db', 'jobs/_systemprompt_create.md', 'jobs/new_job.md', 'worksplit.toml', 'node_modules/.bin/tsc']) {
    const r = confineToProject([{ path: 'src/ok.ts', content: 'x' }, { path: bad, content: 'x' }]);
    expect(!r.ok && r.error).toMatch(/^the model named an unsafe path/);
  }
});

test('outsideDir: files not under the folder; the root holds everything', () => {
  expect(outsideDir(['src/a.ts', 'src2/b.ts', 'docs/c.md', 'src'], 'src/')).toEqual(['src2/b.ts', 'docs/c.md', 'src']);
  expect(outsideDir(['a', 'b/c'], '.')).toEqual([]);
});

test('confineToDeclared rejects unsafe and undeclared paths', () => {
  const declared = ['src/a.ts'];
  for (const bad of ['../x.ts', '/etc/passwd', '.git/config', 'jobs/_jobstatus.json']) {
    const r = confineToDeclared([{ path: bad, content: 'x' }], declared);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(/unsafe path/);
  }
  const undeclared = confineToDeclared([{ path: 'src/b.ts', content: 'x' }], declared);
  expect(!undeclared.ok && undeclared.error).toMatch(/does not declare/);
  expect(confineToDeclared([{ path: './src//a.ts', content: 'x' }], declared)).toEqual({ ok: true, files: [{ path: 'src/a.ts', content: 'x' }] });
});

test('reasoning before the answer is removed; "<think>" inside a file is the file', () => {
  const file = 'export const OPEN = "<think>";\nexport const MID = 1;\nexport const CLOSE = "</think>";';
  const inBlock = parseGeneratedFiles(`~~~worksplit:src/a.ts\n${file}\n~~~worksplit\n`, 'src/a.ts');
  expect(inBlock).toEqual({ ok: true, files: [{ path: 'src/a.ts', content: `${file}\n` }] });
  const led = parseGeneratedFiles(`<think>I will write ~~~worksplit:src/x.ts maybe</think>\n~~~worksplit:src/a.ts\nA\n~~~worksplit\n`, 'src/a.ts');
  expect(led).toEqual({ ok: true, files: [{ path: 'src/a.ts', content: 'A\n' }] });
  // The template opened the reasoning: it ends at the first </think>.
  const lone = parseGeneratedFiles(`reasoning about it\n</think>\n~~~worksplit:src/a.ts\nA\n~~~worksplit\n`, 'src/a.ts');
  expect(lone).toEqual({ ok: true, files: [{ path: 'src/a.ts', content: 'A\n' }] });
  // A job replaying from before keeps the earlier stripping.
  const earlier = parseGeneratedFiles(`~~~worksplit:src/a.ts\n${file}\n~~~worksplit\n`, 'src/a.ts', () => false);
  expect(earlier.ok && earlier.files[0].content).not.toContain('MID');
});

test('a NUL byte and one file under two spellings are refused; an empty file is a file', () => {
  expect(parse('~~~worksplit:pkg/__init__.py\n~~~worksplit\n').ok).toBe(true);
  expect(parse('~~~worksplit:src/a.ts\nconst a = "\u0000";\n~~~worksplit\n')).toEqual({ ok: false, error: 'the block for src/a.ts holds a NUL byte, which no source file does' });
  expect(parse('~~~worksplit:src/a.ts\nA\n~~~worksplit\n~~~worksplit:./src//a.ts\nB\n~~~worksplit\n')).toEqual({ ok: false, error: 'the answer writes ./src//a.ts twice' });
});
