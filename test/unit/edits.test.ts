import { applyEdits, parseEditBlocks } from '../../core/edits';

test('several blocks for several files parse; fences around FIND/REPLACE text are dropped', () => {
  const r = parseEditBlocks('FILE: src/a.ts\nFIND:\nconst a = 1;\nREPLACE:\nconst a = 2;\nEND\nFIND:\n```ts\nlet b;\n```\nREPLACE:\nlet b = 0;\nEND\nFILE: src/c.ts\nFIND: x\nREPLACE: y\nEND\n');
  expect(r).toEqual({ ok: true, edits: [
    { file: 'src/a.ts', find: 'const a = 1;', replace: 'const a = 2;' },
    { file: 'src/a.ts', find: 'let b;', replace: 'let b = 0;' },
    { file: 'src/c.ts', find: 'x', replace: 'y' },
  ] });
});

test('malformed answers are errors', () => {
  expect(parseEditBlocks('nothing here').ok).toBe(false);
  expect(parseEditBlocks('FIND:\nx\nREPLACE:\ny\nEND').ok).toBe(false);
  const cut = parseEditBlocks('FILE: a\nFIND:\nx\nREPLACE:\ny');
  expect(!cut.ok && cut.error).toMatch(/not finished/);
  expect(parseEditBlocks('FILE: a\nFIND:\n\nREPLACE:\ny\nEND').ok).toBe(false);
});

test('exact match first, then whitespace-normalized line match', () => {
  const files = { 'a.ts': 'function f() {\n    return 1;\n}\n' };
  const exact = applyEdits(files, [{ file: 'a.ts', find: 'return 1;', replace: 'return 2;' }]);
  expect(exact.changed['a.ts']).toBe('function f() {\n    return 2;\n}\n');
  const fuzzy = applyEdits(files, [{ file: 'a.ts', find: 'function f()  {\n  return 1;', replace: 'function f() {\n    return 3;' }]);
  expect(fuzzy.changed['a.ts']).toBe('function f() {\n    return 3;\n}\n');
  expect(fuzzy.partial.successful_edits).toEqual(['a.ts: function f()  {']);
});

test('a FIND that matches twice is reported, not applied at a guess; a miss suggests a line', () => {
  const files = { 'a.ts': 'x = 1;\ny = 2;\nx = 1;\n', 'b.ts': 'alpha\nbeta\n' };
  const r = applyEdits(files, [
    { file: 'a.ts', find: 'x = 1;', replace: 'x = 9;' },
    { file: 'b.ts', find: 'beta\ngamma', replace: 'delta' },
    { file: 'b.ts', find: 'zzz', replace: 'q' },
    { file: 'c.ts', find: 'q', replace: 'r' },
  ]);
  expect(r.changed).toEqual({});
  expect(r.partial.failed_edits).toEqual([
    { file: 'a.ts', find_preview: 'x = 1;', reason: expect.stringMatching(/matches 2 places/) },
    { file: 'b.ts', find_preview: 'beta', reason: expect.stringMatching(/not found/), suggested_line: 2 },
    { file: 'b.ts', find_preview: 'zzz', reason: 'FIND text not found' },
    { file: 'c.ts', find_preview: 'q', reason: 'not a target file of this job' },
  ]);
});

test('edits apply in order, each on the result of the one before', () => {
  const r = applyEdits({ 'a.ts': 'a\n' }, [{ file: 'a.ts', find: 'a', replace: 'b' }, { file: 'a.ts', find: 'b', replace: 'c' }]);
  expect(r.changed['a.ts']).toBe('c\n');
});

test('lines that only start with a keyword (REPLACEMENT_CHAR, ENDPOINT) are text, not keywords', () => {
  const answer = 'FILE: src/e.py\nFIND:\nLIMIT = 10\nREPLACEMENT_CHAR = "?"\nREPLACE:\nLIMIT = 20\nREPLACEMENT_CHAR = "?"\nENDPOINT = "/x"\nEND\n';
  expect(parseEditBlocks(answer)).toEqual({ ok: true, edits: [{ file: 'src/e.py', find: 'LIMIT = 10\nREPLACEMENT_CHAR = "?"', replace: 'LIMIT = 20\nREPLACEMENT_CHAR = "?"\nENDPOINT = "/x"' }] });
  // A workflow replaying a job from before this rule parses as it did then.
  const earlier = parseEditBlocks(answer, () => false);
  expect(earlier.ok && earlier.edits[0].find).not.toBe('LIMIT = 10\nREPLACEMENT_CHAR = "?"');
});
