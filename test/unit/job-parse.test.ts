import { parseJobFile, readFrontmatter } from '../../core/job-parse';
import { declaredInputs, declaredOutputs } from '../../core/job';

const opts = { maxContextFiles: 2 };
const parse = (text: string, file = 'jobs/a.md') => parseJobFile(file, text, opts);
const problemsOf = (text: string, file?: string) => {
  const r = parse(text, file);
  if (r.ok) throw new Error('expected problems');
  return r.problems;
};

describe('parseJobFile', () => {
  test('a minimal replace job gets the defaults', () => {
    const r = parse('---\noutput_dir: src\noutput_file: x.ts\n---\nWrite x.\n');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.job).toMatchObject({ id: 'a', mode: 'replace', contextFiles: [], outputPath: 'src/x.ts', sequential: false, verify: true, dependsOn: [], instructions: 'Write x.' });
  });

  test('CRLF line endings and a UTF-8 BOM are accepted', () => {
    const r = parse('\uFEFF---\r\noutput_dir: src/\r\noutput_file: x.ts\r\ncontext_files:\r\n  - a.ts\r\n---\r\nDo it.\r\n');
    expect(r.ok && r.job.contextFiles).toEqual(['a.ts']);
    expect(r.ok && r.job.outputPath).toBe('src/x.ts');
  });

  test('a list written as YAML null counts as empty', () => {
    const r = parse('---\noutput_dir: .\noutput_file: x.ts\ncontext_files:\n---\nDo it.\n');
    expect(r.ok && r.job.contextFiles).toEqual([]);
    expect(r.ok && r.job.outputPath).toBe('x.ts');
  });

  test('missing frontmatter, unclosed frontmatter and invalid YAML are named', () => {
    expect(problemsOf('just text')[0].message).toMatch(/has no frontmatter/);
    expect(problemsOf('---\noutput_dir: a\n')[0].message).toMatch(/not closed/);
    expect(problemsOf('---\noutput_dir: [a\n---\nx')[0].message).toMatch(/invalid YAML/);
  });

  test('unknown mode, missing fields and wrong types name the field', () => {
    expect(problemsOf('---\nmode: create\noutput_dir: a\noutput_file: b\n---\nx')).toEqual([
      { file: 'jobs/a.md', field: 'mode', message: expect.stringMatching(/must be one of replace, edit/) },
    ]);
    const missing = problemsOf('---\nmode: replace\n---\nx');
    expect(missing.map((p) => p.field).sort()).toEqual(['output_dir', 'output_file']);
    const wrong = problemsOf('---\noutput_dir: a\noutput_file: b\ncontext_files: 5\nverify: "yes"\n---\nx');
    expect(wrong.find((p) => p.field === 'context_files')?.message).toMatch(/must be a list/);
    expect(wrong.find((p) => p.field === 'verify')?.message).toMatch(/must be a boolean/);
  });

  test('unsafe paths are rejected in every path field', () => {
    const p = problemsOf('---\noutput_dir: ../out\noutput_file: b\ncontext_files:\n  - /etc/passwd\n  - a/../../x\ntarget_files:\n  - .git/config\n---\nx');
    const fields = p.map((x) => x.field);
    expect(fields).toEqual(expect.arrayContaining(['output_dir', 'context_files[0]', 'context_files[1]', 'target_files[0]']));
    expect(problemsOf('---\noutput_dir: jobs\noutput_file: _jobstatus.json\n---\nx')[0].message).toMatch(/jobs\/_\*/);
  });

  test('empty body, empty output_file, bad job id, self dependency', () => {
    expect(problemsOf('---\noutput_dir: a\noutput_file: b\n---\n  \n')[0].message).toMatch(/body is empty/);
    expect(problemsOf('---\noutput_dir: a\noutput_file: ""\n---\nx')[0]).toMatchObject({ field: 'output_file' });
    expect(problemsOf('---\noutput_dir: a\noutput_file: b\n---\nx', 'jobs/my job.md')[0].message).toMatch(/job id/);
    expect(problemsOf('---\noutput_dir: a\noutput_file: b\ndepends_on: [a]\n---\nx')[0]).toMatchObject({ field: 'depends_on[0]' });
  });

  test('mode rules: edit not sequential, split needs target and outputs, update_fixtures needs its fields', () => {
    expect(problemsOf('---\nmode: edit\nsequential: true\noutput_files: [a]\noutput_dir: a\noutput_file: b\n---\nx').map((p) => p.field)).toContain('sequential');
    expect(problemsOf('---\nmode: split\noutput_dir: a\noutput_file: b\n---\nx').map((p) => p.field).sort()).toEqual(['output_files', 'target_file']);
    expect(problemsOf('---\nmode: update_fixtures\noutput_dir: a\noutput_file: b\ntarget_files: [x.rs]\n---\nx').map((p) => p.field).sort()).toEqual(['new_field', 'struct_name']);
    expect(problemsOf('---\nmode: replace_pattern\noutput_dir: a\noutput_file: b\n---\nx').map((p) => p.field)).toEqual(['target_files']);
  });

  test('more context files than max_context_files is a validation error', () => {
    expect(problemsOf('---\noutput_dir: a\noutput_file: b\ncontext_files: [x, y, z]\n---\nx')[0]).toMatchObject({ field: 'context_files', message: expect.stringMatching(/limit is 2/) });
  });

  test('YAML that would run code or build objects is refused as invalid YAML, naming the file', () => {
    for (const tag of ['!!js/function "function () { return 1 }"', '!!js/regexp /x/', '!!js/undefined ""']) {
      expect(problemsOf(`---\noutput_dir: ${tag}\noutput_file: x.ts\n---\nWrite x.\n`)).toEqual([
        { file: 'jobs/a.md', message: expect.stringMatching(/^invalid YAML in frontmatter: unknown tag/) },
      ]);
    }
  });

  test('unknown fields are warnings, not errors', () => {
    const r = parse('---\noutput_dir: a\noutput_file: b\ncolour: blue\n---\nx');
    expect(r.ok).toBe(true);
    expect(r.warnings).toEqual([{ file: 'jobs/a.md', field: 'colour', message: 'unknown field (ignored)' }]);
  });

  test('declared outputs and inputs per mode', () => {
    const seq = parse('---\noutput_dir: src\noutput_file: a.ts\noutput_files: [src/a.ts, src/b.ts]\nsequential: true\n---\nx');
    expect(seq.ok && declaredOutputs(seq.job)).toEqual(['src/a.ts', 'src/b.ts']);
    const tdd = parse('---\noutput_dir: src\noutput_file: a.ts\ntest_file: a.test.ts\n---\nx');
    expect(tdd.ok && declaredOutputs(tdd.job)).toEqual(['src/a.test.ts', 'src/a.ts']);
    const edit = parse('---\nmode: edit\noutput_dir: src\noutput_file: a.ts\ntarget_files: [src/a.ts, src/b.ts]\ncontext_files: [c.ts]\n---\nx');
    expect(edit.ok && declaredOutputs(edit.job)).toEqual(['src/a.ts', 'src/b.ts']);
    expect(edit.ok && declaredInputs(edit.job)).toEqual(['c.ts', 'src/a.ts', 'src/b.ts']);
  });
});

test('readFrontmatter (gray-matter) keeps the body verbatim', () => {
  expect(readFrontmatter('---\na: 1\n---\n# Title\n\nbody\n')).toEqual({ data: { a: 1 }, body: '# Title\n\nbody\n' });
});

test('an indented "---" inside the front matter is YAML, not its end', () => {
  const text = '---\noutput_dir: src\noutput_file: a.ts\nnotes: |\n  ---\n  hello\n---\nthe instructions\n';
  expect(readFrontmatter(text)).toEqual({ data: { output_dir: 'src', output_file: 'a.ts', notes: '---\nhello\n' }, body: 'the instructions\n' });
  const r = parse(text);
  expect(r.ok && r.job.instructions.trim()).toBe('the instructions');
  // Trailing blanks after the closing line are still accepted.
  const trailing = readFrontmatter('---\na: 1\n---  \nbody');
  expect('body' in trailing && trailing.body.trim()).toBe('body');
});

test('front matter is YAML only: a language after the opening "---" (gray-matter would eval JavaScript) is refused', () => {
  expect(problemsOf('---js\n{ output_dir: (globalThis.ran = 1, "src"), output_file: "a.ts" }\n---\nx')[0].message).toMatch(/has no frontmatter/);
  expect((globalThis as { ran?: number }).ran).toBeUndefined();
});

test('deeply nested YAML is an error naming the file, not a crash', () => {
  const deep = `---\noutput_dir: src\noutput_file: a.ts\nx: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n---\nx`;
  const p = problemsOf(deep);
  expect(p).toHaveLength(1);
  expect(p[0].file).toBe('jobs/a.md');
  expect(p[0].message).toMatch(/^invalid YAML in frontmatter: nesting exceeded maxDepth/);
});

test('!!binary in front matter is one value, described as binary data', () => {
  const r = parse(`---\noutput_dir: src\noutput_file: !!binary ${Buffer.alloc(20_000).toString('base64')}\n---\nJOB\n`);
  expect(r.ok).toBe(false);
  if (!r.ok) expect(r.problems).toEqual([{ file: 'jobs/a.md', field: 'output_file', message: expect.stringMatching(/got binary data \(!!binary\)/) }]);
});
