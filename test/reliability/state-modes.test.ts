// .worksplit/ holds every prompt and answer (temporal.db), the server's address and the payload
// key: it is the owner's alone (issue 24, item 2). A hostile probe found the folder 0755 and the
// database and server.json 0644, readable by every local user.
import { chmodSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../support/processes';
import { makeProject, simpleJob } from '../support/project';

const roots: string[] = [];
afterAll(async () => {
  for (const root of roots) await runCli(['--path', root, 'server', 'stop'], { TEMPORAL_ADDRESS: '' });
});

function mode(p: string): string {
  return (statSync(p).mode & 0o777).toString(8);
}

test('the server is started with .worksplit 0700 and every file in it 0600, also when an older version left them wider', async () => {
  const root = makeProject({ ollamaUrl: 'http://127.0.0.1:9', jobs: { one: simpleJob('one') } });
  roots.push(root);
  const dir = path.join(root, '.worksplit');
  // As an older version left it (the umask's 0755 and 0644).
  mkdirSync(dir, { mode: 0o755 });
  chmodSync(dir, 0o755);
  writeFileSync(path.join(dir, 'server.log'), 'old log\n', { mode: 0o644 });
  chmodSync(path.join(dir, 'server.log'), 0o644);

  const start = await runCli(['--path', root, 'server', 'start'], { TEMPORAL_ADDRESS: '' });
  expect(start.code).toBe(0);
  expect(mode(dir)).toBe('700');
  const files = readdirSync(dir).filter((f) => !statSync(path.join(dir, f)).isDirectory());
  // The server's own files are all there: SQLite made its -wal and -shm under the server's umask.
  expect(files).toEqual(expect.arrayContaining(['server.json', 'server.log', 'temporal.db', 'temporal.db-wal', 'temporal.db-shm']));
  expect(Object.fromEntries(files.map((f) => [f, mode(path.join(dir, f))]))).toEqual(Object.fromEntries(files.map((f) => [f, '600'])));
}, 60_000);
