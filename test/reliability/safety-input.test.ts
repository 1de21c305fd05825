// Hostile input (issue 17, items 5, 7, 8): a YAML alias bomb, huge wrong-typed values,
// folders, FIFOs and devices named *.md in jobs/, numbers over the README's caps, and the final
// message of a stalled model call.
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseJobFile } from '../../core/job-parse';
import { runBatch } from '../support/harness';
import { runCli } from '../support/processes';
import { makeProject, simpleJob } from '../support/project';
import { passingReplies } from '../support/replies';
import { useServers } from '../support/servers';

const t = useServers();

/** 880-odd bytes of YAML that stand for 10^10 values. */
function aliasBomb(field: string): string {
  const levels = 'abcdefghi'.split('');
  const lines = [`a: &a [${Array(10).fill('"lol"').join(',')}]`];
  for (let i = 1; i < levels.length; i++) lines.push(`${levels[i]}: &${levels[i]} [${Array(10).fill(`*${levels[i - 1]}`).join(',')}]`);
  lines.push(`${field}: [${Array(10).fill('*i').join(',')}]`);
  return lines.join('\n');
}

test.each([
  ['output_dir', 'a known field'],
  ['extra', 'an unknown field'],
])('a YAML alias bomb in %s (%s) is refused at once with the file named', (field) => {
  const fm = field === 'output_dir' ? `${aliasBomb('output_dir')}\noutput_file: x.ts` : `${aliasBomb('extra')}\noutput_dir: src\noutput_file: x.ts`;
  const r = parseJobFile('jobs/bomb.md', `---\n${fm}\n---\nJOB bomb\n`, { maxContextFiles: 2 });
  expect(r.ok).toBe(false);
  if (r.ok) return;
  expect(r.problems).toEqual([{ file: 'jobs/bomb.md', message: expect.stringMatching(/more than 10000 values \(a YAML alias, \*name, counts its values each time it is used\)/) }]);
});

test('an error about a huge wrong-typed value describes it in a few words', () => {
  const big = 'x'.repeat(100_000);
  const r = parseJobFile('jobs/big.md', `---\noutput_dir: src\noutput_file: x.ts\nverify: "${big}"\ndepends_on: {a: "${big}"}\n---\nJOB big\n`, { maxContextFiles: 2 });
  expect(r.ok).toBe(false);
  if (r.ok) return;
  for (const p of r.problems) expect(p.message.length).toBeLessThan(200);
  expect(r.problems.map((p) => p.field)).toEqual(['verify', 'depends_on']);
});

test('validate: folders, FIFOs and devices named *.md are reported by name and skipped; nothing hangs', async () => {
  const root = makeProject({ ollamaUrl: t.ollama.url, jobs: { good: simpleJob('good') } });
  mkdirSync(path.join(root, 'jobs', 'adir.md'));
  execFileSync('mkfifo', [path.join(root, 'jobs', 'pipe.md')]);
  symlinkSync('/dev/zero', path.join(root, 'jobs', 'zero.md'));
  writeFileSync(path.join(root, 'jobs', 'bomb.md'), `---\n${aliasBomb('output_dir')}\noutput_file: x.ts\n---\nJOB bomb\n`);
  const r = await runCli(['--path', root, 'validate']);
  expect(r.output).toContain('jobs/adir.md: is a directory, not a regular file; skipped');
  expect(r.output).toContain('jobs/pipe.md: is a named pipe (FIFO), not a regular file; skipped');
  expect(r.output).toContain('jobs/zero.md: is a device, not a regular file; skipped');
  expect(r.output).toMatch(/jobs\/bomb\.md: frontmatter holds more than 10000 values/);
  expect(r.output).toContain('1 problem in 2 jobs');
  expect(r.code).toBe(2);

  // A batch runs the regular jobs and leaves the others out.
  const { rmSync } = await import('node:fs');
  rmSync(path.join(root, 'jobs', 'bomb.md'));
  t.ollama.respond = passingReplies();
  const result = await runBatch(t.h, root);
  expect(Object.keys(result.jobs)).toEqual(['good']);
  expect(result.jobs.good.state).toBe('passed');
  expect(result.warnings.join('\n')).toContain('jobs/pipe.md: is a named pipe (FIFO), not a regular file; skipped');
}, 60_000);

test('max_concurrent is capped at 500, as the README says (file, flag and concurrency command)', async () => {
  const root = makeProject({ ollamaUrl: t.ollama.url, toml: '[batch]\nmax_concurrent = 100000\n', jobs: { good: simpleJob('good') } });
  const r = await runCli(['--path', root, 'validate']);
  expect(r.output).toMatch(/worksplit\.toml: batch\.max_concurrent: .*500/);
  expect(r.code).toBe(2);
  const flag = await runCli(['--path', root, 'run', '--dry-run', '--max-concurrent', '100000']);
  expect(flag.output).toContain('--max-concurrent must be a whole number >= 0 and <= 500');
  expect(flag.code).toBe(2);
});

test('the last stalled attempt does not say "retrying"', async () => {
  const root = makeProject({ ollamaUrl: t.ollama.url, toml: '', jobs: { slow: simpleJob('slow') } });
  const toml = path.join(root, 'worksplit.toml');
  const { readFileSync } = await import('node:fs');
  writeFileSync(toml, readFileSync(toml, 'utf8').replace('stall_seconds = 20', 'stall_seconds = 1'));
  t.ollama.respond = () => ({ hang: 'headers' });
  const r = await runBatch(t.h, root);
  expect(r.jobs.slow.state).toBe('failed');
  expect(r.jobs.slow.reason).toMatch(/no token from .* for 1s \(stalled stream after 0 tokens\)$/);
  expect(r.jobs.slow.reason).not.toMatch(/retrying/);
}, 120_000);
