// The status file under concurrent writers: in one process (coalesced) and across processes
// (lock file), never corrupt, never losing an update; a corrupt file is reported and backed up.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { parseStatusFile } from '../../core/status';
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

test('the store does not read back its own write, and sees any other write in its place', async () => {
  const root = tmpProject();
  const store = new StatusStore(root);
  await store.change((es) => applyUpdate(es, { id: 'a', status: 'pass', ran: true }, 'now'));
  const fsp = require('node:fs').promises as typeof import('node:fs').promises;
  const readFile = jest.spyOn(fsp, 'readFile');
  try {
    expect((await store.read()).map((e) => e.status)).toEqual(['pass']);
    expect(readFile.mock.calls.filter(([f]) => f === store.file)).toHaveLength(0);
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
  } finally {
    readFile.mockRestore();
  }
});
