// Property-based tests of every parser a model's answer goes through (they run in workflow code,
// where a throw or a long stall would hold the batch): random and adversarial answers end as a
// result, never a throw or a hang, and what they take from an answer is the answer's own text.
import fc from 'fast-check';
import { parseGeneratedFiles } from '../../core/output-parse';
import { applyEdits, parseEditBlocks } from '../../core/edits';
import { PATTERN_WORK_BUDGET, applyPatternInserts, parsePatternInserts } from '../../core/patterns';
import { parseStructuredVerdict, parseVerdict } from '../../core/verdict';
import { type ModeContext, produce } from '../../core/modes';
import type { JobSpec } from '../../core/job';
import { boundedReason } from '../../core/reason';

const RULE_SETS = [() => true, () => false];

/** Answers made of the pieces the parsers look for, so random answers hit their corners. */
const answerPieces = fc
  .array(
    fc.oneof(
      fc.constantFrom('~~~worksplit', '~~~worksplit:src/a.ts', '~~~ worksplit : src/b.ts', '~~~WORKSPLIT', '```', '```ts', '~~~', '````', '\n', '\r\n', ' ', '\t', '\u2028', '\0', '\ufffd', '\ud800', 'FILE: src/a.ts', 'FIND:', 'REPLACE:', 'END', 'SCOPE: fn', 'AFTER: x', 'INSERT:', 'PASS', 'FAIL', 'Verdict:', '<think>', '</think>', '{"verdict":"PASS","reason":""}', 'x', 'const a = 1;', '../../etc/passwd', '.git/config', '# src/a.ts'),
      fc.string({ maxLength: 8 }),
    ),
    { maxLength: 40 },
  )
  .map((a) => a.join(''));

const job = (mode: JobSpec['mode'], extra: Partial<JobSpec> = {}): JobSpec =>
  ({ id: 'j', mode, outputDir: 'src', outputPath: 'src/a.ts', outputFiles: ['src/a.ts'], targetFiles: ['src/a.ts'], instructions: 'x', contextFiles: [], dependsOn: [], verify: true, ...extra }) as unknown as JobSpec;

/** Every mode's production from one answer, with a target file to edit. */
async function produceAll(answer: string, newer: () => boolean) {
  const target = { path: 'src/a.ts', content: 'fn x() {\n  const a = 1;\n}\n' };
  const ctx = (j: JobSpec): ModeContext => ({ job: j, extraContext: [], ask: async () => ({ text: answer, targets: [target] }), readFiles: async () => [target], newerNameRules: newer, newerAnswerRules: newer });
  const jobs = [job('replace'), job('replace', { sequential: true, outputFiles: ['src/a.ts', 'src/b.ts'] }), job('split', { outputFiles: ['src/a.ts', 'src/b.ts'] }), job('edit'), job('replace_pattern')];
  return Promise.all(jobs.map((j) => produce(ctx(j))));
}

function parseAll(answer: string) {
  for (const newer of RULE_SETS) {
    const files = parseGeneratedFiles(answer, 'src/a.ts', newer);
    expect(typeof files.ok).toBe('boolean');
    if (files.ok) {
      // A file's text is the answer's own, line for line.
      const text = answer.replace(/\r\n?/g, '\n');
      for (const f of files.files) expect(text.includes(f.content.replace(/\n$/, ''))).toBe(true);
    } else expect(files.error.length).toBeLessThan(2000);
    expect(typeof parseEditBlocks(answer, newer).ok).toBe('boolean');
    expect(typeof parsePatternInserts(answer, newer).ok).toBe('boolean');
    const v = parseVerdict(answer, { strict: newer, words: newer });
    expect(v.passed).toBe(v.kind === 'PASS' || v.kind === 'PASS_WITH_WARNINGS');
  }
  const s = parseStructuredVerdict(answer);
  expect(s.passed).toBe(s.kind === 'PASS' || s.kind === 'PASS_WITH_WARNINGS');
}

test('random answers: every parser returns a result, and a parsed file is the answer\'s own text', () => {
  fc.assert(fc.property(answerPieces, (a) => parseAll(a)), { numRuns: 3000 });
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (a) => parseAll(a)), { numRuns: 1000 });
});

test('random answers through every mode end as files or a typed failure, never a throw', async () => {
  await fc.assert(
    fc.asyncProperty(answerPieces, fc.boolean(), async (a, newer) => {
      for (const r of await produceAll(a, () => newer)) {
        if (r.ok) expect(Array.isArray(r.files)).toBe(true);
        else expect(typeof r.type).toBe('string');
      }
    }),
    { numRuns: 500 },
  );
});

test('files written as blocks are parsed back exactly', () => {
  const name = fc.stringMatching(/^[a-z][a-z0-9_]{0,8}\.(ts|rs|py)$/);
  const line = fc.string({ maxLength: 30 }).filter((l) => !/^\s*(~~~|```)/.test(l) && !l.includes('\r') && !l.includes('\n') && !l.includes('\u2028') && !l.includes('\u2029'));
  fc.assert(
    fc.property(fc.uniqueArray(name, { minLength: 1, maxLength: 5 }), fc.array(fc.array(line, { minLength: 1, maxLength: 6 }), { minLength: 5, maxLength: 5 }), (names, bodies) => {
      const files = names.map((n, i) => ({ path: `src/${n}`, content: `${bodies[i].join('\n')}\n` }));
      // Blank lines at the ends of a block are trimmed, and a first line naming the file is a heading.
      fc.pre(files.every((f) => f.content.trim() !== '' && !/^\s|\s$/.test(f.content.replace(/\n$/, '')) && !f.content.split('\n')[0].includes(f.path.split('/').pop()!)));
      const answer = files.map((f) => `~~~worksplit:${f.path}\n${f.content}~~~worksplit`).join('\n\nand\n\n');
      expect(parseGeneratedFiles(answer, 'src/x.ts')).toEqual({ ok: true, files });
    }),
    { numRuns: 1000 },
  );
});

describe('adversarial answers of the largest size an answer may have (512 KB) end as a result', () => {
  const n = 250_000;
  const cases: Array<[string, string]> = [
    ['a block line with a long space run (the wedge)', `~~~worksplit:src/a.ts\nx\n~~~worksplit\n~~~worksplit:a${' '.repeat(n)}b\n`],
    ['a fence line with a long space run', `\`\`\`${' '.repeat(n)}!\nx\n\`\`\``],
    ['5,000 unclosed fences', '```\n'.repeat(5000)],
    ['5,000 blocks', Array.from({ length: 5000 }, (_, i) => `~~~worksplit:src/f${i}.ts\nx\n~~~worksplit`).join('\n')],
    ['nested and unclosed blocks', '~~~worksplit:src/a.ts\n```ts\n~~~worksplit:src/b.ts\n```\n'.repeat(3000)],
    ['one 250 KB line', 'x'.repeat(n)],
    ['NUL bytes', `~~~worksplit:src/a.ts\n${'\0'.repeat(n)}\n~~~worksplit\n`],
    ['invalid UTF-8 as decoded (replacement characters, lone surrogates)', `~~~worksplit:src/a.ts\n${'\ufffd\ud800'.repeat(n / 2)}\n~~~worksplit\n`],
    ['30,000 unclosed <think> tags', '<think>'.repeat(30_000)],
    ['many lines then a closing </think>', `${'\n'.repeat(n)}x</think>PASS`],
    ['a verdict label and a long decoration run', `verdict${' '.repeat(n)}!`],
    ['edit keywords with long space runs', `FILE${' '.repeat(n)}x\nFIND${' '.repeat(n)}:`],
    ['keyword lines whose value holds U+2028 after long space runs', `FILE: src/a.ts\nFIND${' '.repeat(n / 4)}a\u2028b\nFIND:${' '.repeat(n / 4)}a\u2028b\nAFTER${' '.repeat(n / 4)}a\u2028b\nREPLACE:\nx\nEND`],
    ['a pattern answer whose insert holds its own pattern, 40 times', 'AFTER: const\nINSERT:\nconst b = 1;\nconst c = 2;\nEND\n'.repeat(40)],
    ['a long FIND of common lines', `FILE: src/a.ts\nFIND:\n${'}\n'.repeat(20_000)}REPLACE:\n}\nEND\n`],
  ];
  test.each(cases)('%s', async (_name, answer) => {
    parseAll(answer);
    for (const r of await produceAll(answer, () => true)) {
      if (!r.ok) expect(r.error.length).toBeLessThan(2000);
    }
  });
});

test('a reason for a failure keeps no long space run and no unbounded length', () => {
  expect(boundedReason(`a${' '.repeat(100_000)}b`)).toBe('a b');
  expect(boundedReason('x'.repeat(20_000))).toMatch(/^x{8000}… \(cut: 20000 characters\)$/);
  expect(boundedReason('line one\n  line two')).toBe('line one\n  line two');
});

describe('answers whose work grows with the target file end as a result', () => {
  test('19 pairs that double the file, then thousands more: stopped at the work budget, nothing applied', () => {
    const answer = 'AFTER:a\nINSERT:a\n'.repeat(19) + 'AFTER:q\nINSERT:q\n'.repeat(5000);
    const parsed = parsePatternInserts(answer);
    if (!parsed.ok) throw new Error(parsed.error);
    const r = applyPatternInserts('a', parsed.inserts, PATTERN_WORK_BUDGET);
    expect(r).toMatchObject({ text: 'a', count: 0, tooLarge: expect.stringContaining('would look at more than') });
    // Within the budget, the same insertions as without it.
    const small = parsePatternInserts('AFTER:a\nINSERT:a\n'.repeat(5) + 'AFTER:q\nINSERT:q\n'.repeat(50));
    if (!small.ok) throw new Error(small.error);
    expect(applyPatternInserts('a\nq', small.inserts, PATTERN_WORK_BUDGET)).toEqual(applyPatternInserts('a\nq', small.inserts));
  });

  test('200 edits whose FIND is 100 common lines, on a file of 10,000 such lines', () => {
    const file = '}\n'.repeat(10_000);
    for (const line of ['}', '} ']) {
      const parsed = parseEditBlocks(`FILE: a.ts\nFIND:\n${`${line}\n`.repeat(100)}REPLACE:\nx\nEND\n`.repeat(200));
      if (!parsed.ok) throw new Error(parsed.error);
      const r = applyEdits({ 'a.ts': file }, parsed.edits);
      expect(r.partial.failed_edits).toHaveLength(200);
      expect(r.partial.failed_edits[0].reason.length).toBeLessThan(300);
    }
  });
});
