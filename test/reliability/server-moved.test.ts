// A project folder moved while its server runs (issue 24, item 5). The server's command line
// names the old path; before, `server stop` left it running ("not this project's Temporal
// server") and `run` started a second server on the same temporal.db. The server is now known by
// its database file's identity, and a second server is never started on one database.
import { readFileSync, readdirSync, renameSync, statSync, unlinkSync } from 'node:fs';
import * as path from 'node:path';
import { alive } from '../../client/dev-server';
import { OllamaTestServer } from '../support/ollama-test-server';
import { runCli } from '../support/processes';
import { makeProject, simpleJob } from '../support/project';
import { passingReplies } from '../support/replies';

let ollama: OllamaTestServer;
const roots: string[] = [];
const ENV = { TEMPORAL_ADDRESS: '' };

beforeAll(async () => {
  ollama = await new OllamaTestServer().start();
});
afterAll(async () => {
  for (const root of roots) await runCli(['--path', root, 'server', 'stop'], ENV);
  await ollama.stop();
});

/** The processes that have `file` open (Linux /proc). */
function holders(file: string): number[] {
  const { dev, ino } = statSync(file);
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue;
    }
    if (fds.some((fd) => {
      try {
        const st = statSync(`/proc/${entry}/fd/${fd}`);
        return st.dev === dev && st.ino === ino;
      } catch {
        return false;
      }
    })) pids.push(Number(entry));
  }
  return pids;
}

const serverPid = (root: string) => JSON.parse(readFileSync(path.join(root, '.worksplit', 'server.json'), 'utf8')).pid as number;

test('after the project folder is moved, run uses its running server (no second one on the database) and server stop stops it', async () => {
  ollama.respond = passingReplies();
  const before = makeProject({ ollamaUrl: ollama.url, jobs: { one: simpleJob('one') } });
  roots.push(before);
  expect((await runCli(['--path', before, 'server', 'start'], ENV)).code).toBe(0);
  const pid = serverPid(before);
  const moved = `${before}-moved`;
  renameSync(before, moved);
  roots.push(moved);

  const status = await runCli(['--path', moved, 'server', 'status'], ENV);
  expect(status.output).toContain(`running at`);
  expect(status.code).toBe(0);

  const run = await runCli(['--path', moved, 'run'], ENV);
  expect(run.code).toBe(0);
  expect(run.output).not.toContain('starting a new server');
  expect(serverPid(moved)).toBe(pid);
  const db = path.join(moved, '.worksplit', 'temporal.db');
  expect(holders(db)).toEqual([pid]);
  expect(readFileSync(path.join(moved, 'out', 'one.txt'), 'utf8')).toContain('generated for one');

  const stop = await runCli(['--path', moved, 'server', 'stop'], ENV);
  expect(stop.output).toContain('Temporal dev server stopped');
  expect(alive(pid)).toBe(false);
}, 120_000);

test('with server.json lost, a server already on the database is taken, not doubled', async () => {
  const root = makeProject({ ollamaUrl: 'http://127.0.0.1:9', jobs: { one: simpleJob('one') } });
  roots.push(root);
  expect((await runCli(['--path', root, 'server', 'start'], ENV)).code).toBe(0);
  const pid = serverPid(root);
  const moved = `${root}-moved`;
  renameSync(root, moved);
  roots.push(moved);
  unlinkSync(path.join(moved, '.worksplit', 'server.json'));

  const start = await runCli(['--path', moved, 'server', 'start'], ENV);
  expect(start.code).toBe(0);
  expect(start.output).toContain(`found this project's Temporal server (pid ${pid}) running on its database`);
  expect(serverPid(moved)).toBe(pid);
  expect(holders(path.join(moved, '.worksplit', 'temporal.db'))).toEqual([pid]);
  const stop = await runCli(['--path', moved, 'server', 'stop'], ENV);
  expect(stop.output).toContain('Temporal dev server stopped');
  expect(alive(pid)).toBe(false);
}, 120_000);
