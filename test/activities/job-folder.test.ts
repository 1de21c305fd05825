// The job folder is read file by file side by side; what it reports (problems, warnings, jobs)
// comes out in job order however the reads finish, so validate and deps print the same every time.
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { readJobFolder } from '../../project/job-files';
import { makeProject } from '../support/project';

test('problems and warnings of a folder read side by side are reported in job order, every time', async () => {
  const ids = Array.from({ length: 60 }, (_, i) => `j${String(i + 1).padStart(2, '0')}`);
  const root = makeProject({ ollamaUrl: 'http://127.0.0.1:9', jobs: {} });
  ids.forEach((id, i) => {
    // Files of very different sizes finish reading in a different order than they start.
    const padding = 'x'.repeat(i % 3 === 0 ? 100_000 : 10);
    const output = i % 2 === 0 ? `output_file: ${i}` : `output_file: ${id}.txt`;
    writeFileSync(path.join(root, 'jobs', `${id}.md`), `---\noutput_dir: out\n${output}\nunknown_${id}: 1\n---\n\nJOB ${id}\n${padding}\n`);
  });
  for (let round = 0; round < 5; round++) {
    const folder = await readJobFolder(root, 2);
    expect(Object.keys(folder.problems)).toEqual(ids.filter((_, i) => i % 2 === 0));
    const warned = folder.warnings.map((w) => w.file);
    expect(warned).toEqual(ids.map((id) => `jobs/${id}.md`));
    expect(folder.jobs.map((j) => j.id)).toEqual(ids.filter((_, i) => i % 2 === 1));
  }
});

test('a job file that is not UTF-8 is a problem of that job, named, not read with replacement characters', async () => {
  const root = makeProject({ ollamaUrl: 'http://127.0.0.1:9', jobs: { ok: { fm: { output_dir: 'out', output_file: 'ok.txt' } } } });
  writeFileSync(path.join(root, 'jobs', 'latin.md'), Buffer.concat([Buffer.from('---\noutput_dir: src\noutput_file: a'), Buffer.from([0xe9]), Buffer.from('.ts\n---\n\nJOB\n')]));
  writeFileSync(path.join(root, 'jobs', 'wide.md'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('---\noutput_dir: src\n', 'utf16le')]));
  // An overlong form (E0 80 80) and a surrogate (ED A0 80) are invalid too, and found where they are.
  writeFileSync(path.join(root, 'jobs', 'overlong.md'), Buffer.concat([Buffer.from('---\noutput_dir: src\n# '), Buffer.from([0xe0, 0x80, 0x80]), Buffer.from('\noutput_file: a.ts\n---\n\nJOB\nmore\nlines\n')]));
  writeFileSync(path.join(root, 'jobs', 'surrogate.md'), Buffer.concat([Buffer.from('---\noutput_dir: src\noutput_file: a.ts\n---\n'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('\nmore\nlines\n')]));
  const folder = await readJobFolder(root, 2);
  expect(folder.problems).toEqual({
    latin: [{ file: 'jobs/latin.md', message: 'is not valid UTF-8 (line 3); save it as UTF-8' }],
    overlong: [{ file: 'jobs/overlong.md', message: 'is not valid UTF-8 (line 3); save it as UTF-8' }],
    surrogate: [{ file: 'jobs/surrogate.md', message: 'is not valid UTF-8 (line 5); save it as UTF-8' }],
    wide: [{ file: 'jobs/wide.md', message: 'is UTF-16 text (as some editors save it); save it as UTF-8' }],
  });
  expect(folder.jobs.map((j) => j.id)).toEqual(['ok']);
});
