// The project's own files in the wrong shape (a FIFO, a folder or a file where the other is
// expected, a corrupt status file): every command stops at once with exit 2 and the file named,
// never hangs on a pipe, never prints a raw errno message, and a read-only command writes nothing.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { runCliWithin } from '../support/processes';
import { makeProject, simpleJob } from '../support/project';

/** No Temporal server: these commands must fail on the file before they would need one. */
const NO_SERVER = { TEMPORAL_ADDRESS: '' };

function project(): string {
  return makeProject({ ollamaUrl: 'http://127.0.0.1:9', jobs: { a: simpleJob('a') } });
}

async function expectRefused(root: string, args: string[], message: RegExp): Promise<void> {
  const r = await runCliWithin(10_000, ['--path', root, ...args], NO_SERVER);
  expect(r.timedOut).toBe(false);
  expect(r.output).toMatch(message);
  expect(r.output).not.toMatch(/\bE[A-Z]{3,}\b:/);
  expect(r.code).toBe(2);
}

test('worksplit.toml as a FIFO: validate and status stop with exit 2 instead of waiting for a writer', async () => {
  const root = project();
  rmSync(path.join(root, 'worksplit.toml'));
  execFileSync('mkfifo', [path.join(root, 'worksplit.toml')]);
  for (const cmd of [['validate'], ['status'], ['run', '--dry-run']]) await expectRefused(root, cmd, /error: worksplit\.toml: is a named pipe \(FIFO\), not a regular file/);
}, 60_000);

test('worksplit.toml as a folder and --path at a file are named, with exit 2', async () => {
  const root = project();
  rmSync(path.join(root, 'worksplit.toml'));
  mkdirSync(path.join(root, 'worksplit.toml'));
  await expectRefused(root, ['validate'], /error: worksplit\.toml: is a directory, not a regular file/);
  const file = path.join(project(), 'jobs', 'a.md');
  await expectRefused(file, ['status'], new RegExp(`error: the project folder ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is a file, not a folder`));
}, 60_000);

test('jobs as a file: status, validate and run --dry-run name jobs/ with exit 2', async () => {
  const root = project();
  rmSync(path.join(root, 'jobs'), { recursive: true });
  writeFileSync(path.join(root, 'jobs'), 'not a folder\n');
  for (const cmd of [['status'], ['validate'], ['run', '--dry-run']]) await expectRefused(root, cmd, /error: jobs\/ in .* is a file, not a folder/);
}, 60_000);

test('the status file as a FIFO or a folder: status and run --dry-run stop with exit 2 naming it', async () => {
  const root = project();
  const file = path.join(root, 'jobs', '_jobstatus.json');
  execFileSync('mkfifo', [file]);
  for (const cmd of [['status'], ['run', '--dry-run']]) await expectRefused(root, cmd, /error: jobs\/_jobstatus\.json: is a named pipe \(FIFO\), not a regular file/);
  rmSync(file);
  mkdirSync(file);
  for (const cmd of [['status'], ['run', '--dry-run']]) await expectRefused(root, cmd, /error: jobs\/_jobstatus\.json: is a directory, not a regular file/);
}, 60_000);

test('a corrupt status file: read-only commands report it with exit 2 and write no copy of it', async () => {
  const root = project();
  const file = path.join(root, 'jobs', '_jobstatus.json');
  writeFileSync(file, '{not json');
  const jobsBefore = readdirSync(path.join(root, 'jobs')).sort();
  for (const cmd of [['status'], ['status', '-v'], ['status', '--json'], ['run', '--dry-run']]) {
    await expectRefused(root, cmd, /jobs\/_jobstatus\.json is not a valid status file .*no copy was made/);
  }
  expect(readdirSync(path.join(root, 'jobs')).sort()).toEqual(jobsBefore);
  expect(readFileSync(file, 'utf8')).toBe('{not json');
}, 60_000);
