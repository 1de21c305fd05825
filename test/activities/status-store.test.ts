// The status file under concurrent writers: in one process (coalesced) and across processes
// (lock file), never corrupt, never losing an update; a corrupt file is reported and backed up.
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { parseStatusFile } from '../../core/status';
import { NotRegularFileError } from '../../project/project-fs';
import { StatusFileCorruptError, StatusStore } from '../../project/status-store';
import { applyUpdate } from '../../core/status';

const run = promisify(execFile);

function tmpProject(): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'ws-status-'));
  mkdirSync(path.join(root, 'jobs'));
  return root;
}

test('200 concurrent updates in one process are all kept', async () => {
  const root = tmpProject();
  const store = new StatusStore(root);
  await Promise.all(Array.from({ length: 200 }, (_, i) => store.change((es) => applyUpdate(es, { id: `j${i}`, status: 'pass', ran: true }, 'now'))));
  const entries = parseStatusFile(readFileSync(store.file, 'utf8'));
  expect(entries).toHaveLength(200);
  expect(entries.every((e) => e.status === 'pass')).toBe(true);
});

test('4 processes writing at once: every update kept, the file is valid JSON whenever read', async () => {
  const root = tmpProject();
  const store = new StatusStore(root);
  await store.change(() => []);
  const script = `
    const { StatusStore } = require(${JSON.stringify(path.resolve(__dirname, '../../dist/project/status-store.js'))});
    const { applyUpdate } = require(${JSON.stringify(path.resolve(__dirname, '../../dist/core/status.js'))});
    const store = new StatusStore(process.argv[1]);
    const me = process.argv[2];
    (async () => { for (let i = 0; i < 40; i++) await store.change((es) => applyUpdate(es, { id: me + '-' + i, status: 'pass' }, new Date().toISOString())); })();
  `;
  let reads = 0;
  let stop = false;
  const poll = (async () => {
    while (!stop) {
      parseStatusFile(readFileSync(store.file, 'utf8')); // throws on a half-written file
      reads++;
      await new Promise((r) => setImmediate(r));
    }
  })();
  await Promise.all(['p1', 'p2', 'p3', 'p4'].map((p) => run(process.execPath, ['-e', script, root, p])));
  stop = true;
  await poll;
  const entries = parseStatusFile(readFileSync(store.file, 'utf8'));
  expect(entries).toHaveLength(160);
  expect(reads).toBeGreaterThan(10);
});

test('a corrupt status file is reported and backed up, never silently reset', async () => {
  const root = tmpProject();
  const file = path.join(root, 'jobs', '_jobstatus.json');
  writeFileSync(file, '[{"id": "a", "status": "pass"');
  const store = new StatusStore(root);
  await expect(store.read()).rejects.toThrow(StatusFileCorruptError);
  await expect(store.change((es) => es)).rejects.toThrow(/not a valid status file/);
  expect(readFileSync(file, 'utf8')).toBe('[{"id": "a", "status": "pass"');
  const backups = readdirSync(path.join(root, 'jobs')).filter((n) => n.startsWith('_jobstatus.json.corrupt-'));
  expect(backups.length).toBeGreaterThanOrEqual(1);
});

test('a read-only read of a corrupt status file saves no copy; a writer saves one per distinct content', async () => {
  const root = tmpProject();
  const file = path.join(root, 'jobs', '_jobstatus.json');
  const copies = () => readdirSync(path.join(root, 'jobs')).filter((n) => n.startsWith('_jobstatus.json.corrupt-')).sort();
  writeFileSync(file, '{not json');
  const store = new StatusStore(root);
  for (let i = 0; i < 3; i++) {
    const e = await store.read().catch((x) => x);
    expect(e).toBeInstanceOf(StatusFileCorruptError);
    expect(e.backup).toBeUndefined();
    expect(e.message).toMatch(/no copy was made/);
  }
  expect(copies()).toEqual([]);
  // A writer (and a run about to start) saves a copy and names it; again over the same bytes, the
  // same copy is named rather than another one saved.
  const first = await store.change((es) => es).catch((x) => x);
  expect(first).toBeInstanceOf(StatusFileCorruptError);
  expect(copies()).toHaveLength(1);
  expect(first.backup).toBe(`jobs/${copies()[0]}`);
  expect(first.message).toContain(`a copy saved to jobs/${copies()[0]}`);
  expect(readFileSync(path.join(root, first.backup), 'utf8')).toBe('{not json');
  const again = await store.read({ backUpCorrupt: true }).catch((x) => x);
  expect(again.backup).toBe(first.backup);
  expect(copies()).toHaveLength(1);
  // Other broken content is another copy.
  writeFileSync(file, '[{"id": "a"');
  const other = await store.change((es) => es).catch((x) => x);
  expect(other.backup).not.toBe(first.backup);
  expect(copies()).toHaveLength(2);
  expect(readFileSync(file, 'utf8')).toBe('[{"id": "a"');
});

test('a FIFO or a folder in place of the status file is refused by name, without waiting, and never overwritten', async () => {
  const root = tmpProject();
  const file = path.join(root, 'jobs', '_jobstatus.json');
  mkdirSync(file);
  const store = new StatusStore(root);
  await expect(store.read()).rejects.toThrow(NotRegularFileError);
  await expect(store.change(() => [])).rejects.toThrow('jobs/_jobstatus.json: is a directory, not a regular file');
  expect(statSync(file).isDirectory()).toBe(true);
  rmdirSync(file);
  execFileSync('mkfifo', [file]);
  // In a child process with a time limit: a read that waited for a writer must not hang the suite.
  const script = `
    const { StatusStore } = require(${JSON.stringify(path.resolve(__dirname, '../../dist/project/status-store.js'))});
    const store = new StatusStore(process.argv[1]);
    (async () => {
      for (const attempt of [() => store.read(), () => store.change(() => [])]) {
        const e = await attempt().then(() => undefined, (x) => x);
        console.log(e ? e.message : 'no error');
      }
    })();
  `;
  const { stdout } = await run(process.execPath, ['-e', script, root], { timeout: 10_000, killSignal: 'SIGKILL' });
  expect(stdout.trim().split('\n')).toEqual(['jobs/_jobstatus.json: is a named pipe (FIFO), not a regular file', 'jobs/_jobstatus.json: is a named pipe (FIFO), not a regular file']);
  expect(statSync(file).isFIFO()).toBe(true);
});

test('the store does not read back its own write, and sees any other write in its place', async () => {
  const root = tmpProject();
  const store = new StatusStore(root);
  await store.change((es) => applyUpdate(es, { id: 'a', status: 'pass', ran: true }, 'now'));
  const fsp = require('node:fs').promises as typeof import('node:fs').promises;
  const open = jest.spyOn(fsp, 'open');
  try {
    expect((await store.read()).map((e) => e.status)).toEqual(['pass']);
    expect(open.mock.calls.filter(([f]) => f === store.file)).toHaveLength(0);
    const mine = readFileSync(store.file, 'utf8');
    // Another writer rewrites it in place (same inode, same size): the mtime tells.
    await new Promise((r) => setTimeout(r, 20));
    writeFileSync(store.file, mine.replace('"pass"', '"fail"'));
    expect((await store.read()).map((e) => e.status)).toEqual(['fail']);
    // Or puts a new file in its place (a new inode, renamed in).
    const tmp = `${store.file}.other`;
    writeFileSync(tmp, mine.replace('"pass"', '"fail"'));
    renameSync(tmp, store.file);
    expect((await store.read()).map((e) => e.status)).toEqual(['fail']);
    // The spy is real: a read of a file it did not write opens it.
    expect(open.mock.calls.filter(([f]) => f === store.file).length).toBeGreaterThan(0);
  } finally {
    open.mockRestore();
  }
});
