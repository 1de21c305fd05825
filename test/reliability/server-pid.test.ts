// The pid in .worksplit/server.json is signalled only when it is verifiably this project's
// Temporal dev server: the file can be stale (pids are reused after a reboot), committed, or
// hand-edited, and a wrong pid there once made `server stop` SIGTERM an unrelated process and a
// pid of -1 signal every process on the machine.
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { alive, serverStatus, stopServer } from '../../client/dev-server';
import { OllamaTestServer } from '../support/ollama-test-server';
import { runCli } from '../support/processes';
import { makeProject, simpleJob } from '../support/project';
import { passingReplies } from '../support/replies';

let bystander: ChildProcess;
let ollama: OllamaTestServer;
const roots: string[] = [];

beforeAll(async () => {
  ollama = await new OllamaTestServer().start();
});
beforeEach(() => {
  // An unrelated long-lived process whose pid a stale server.json might hold.
  bystander = spawn('sleep', ['300'], { stdio: 'ignore' });
});
afterEach(() => {
  bystander.kill('SIGKILL');
});
afterAll(async () => {
  for (const root of roots) await runCli(['--path', root, 'server', 'stop'], { TEMPORAL_ADDRESS: '' });
  await ollama.stop();
});


function writeState(root: string, state: Record<string, unknown>): void {
  mkdirSync(path.join(root, '.worksplit'), { recursive: true });
  const base = { port: 1, uiPort: 2, address: '127.0.0.1:1', uiUrl: 'http://127.0.0.1:2', db: path.join(root, '.worksplit', 'temporal.db'), startedAt: new Date().toISOString() };
  writeFileSync(path.join(root, '.worksplit', 'server.json'), JSON.stringify({ ...base, ...state }));
}

test('server stop and status leave an unrelated process alone and say why', async () => {
  const root = makeProject({ ollamaUrl: 'http://127.0.0.1:9', jobs: { one: simpleJob('one') } });
  writeState(root, { pid: bystander.pid });
  const status = await runCli(['--path', root, 'server', 'status'], { TEMPORAL_ADDRESS: '' });
  expect(status.code).toBe(1);
  expect(status.output).toContain(`not running (.worksplit/server.json names pid ${bystander.pid}, which is not this project's Temporal server`);
  const stop = await runCli(['--path', root, 'server', 'stop'], { TEMPORAL_ADDRESS: '' });
  expect(stop.code).toBe(0);
  expect(stop.output).not.toContain('stopped.');
  expect(stop.output).toContain(`names pid ${bystander.pid}, which is not this project's Temporal server (left alone)`);
  await new Promise((r) => setTimeout(r, 300));
  expect(alive(bystander.pid!)).toBe(true);
});

test.each([
  ['0', 0],
  ['-1', -1],
  ['1 (init)', 1],
  ['the string "1"', '1'],
  ['a fraction', 2.5],
])('a pid of %s is refused before anything is signalled', async (_name, pid) => {
  const root = makeProject({ ollamaUrl: 'http://127.0.0.1:9', jobs: { one: simpleJob('one') } });
  writeState(root, { pid });
  const st = await serverStatus(root);
  expect(st.running).toBe(false);
  expect(st.untrusted).toMatch(/field "pid" must be an integer above 1/);
  expect(await stopServer(root)).toEqual({ stopped: false, why: st.untrusted });
});

test('run with a stray pid in server.json starts its own server, says so, and leaves the stray process running', async () => {
  ollama.respond = passingReplies({ latencyMs: 10 });
  const root = makeProject({ ollamaUrl: ollama.url, jobs: { one: simpleJob('one') } });
  roots.push(root);
  writeState(root, { pid: bystander.pid });
  const run = await runCli(['--path', root, 'run'], { TEMPORAL_ADDRESS: '' });
  expect(run.output).toContain(`note: .worksplit/server.json names pid ${bystander.pid}, which is not this project's Temporal server (left alone); starting a new server`);
  expect(run.code).toBe(0);
  expect(alive(bystander.pid!)).toBe(true);
  const state = JSON.parse(readFileSync(path.join(root, '.worksplit', 'server.json'), 'utf8'));
  expect(state.pid).not.toBe(bystander.pid);
  const stop = await runCli(['--path', root, 'server', 'stop'], { TEMPORAL_ADDRESS: '' });
  expect(stop.output).toContain('Temporal dev server stopped');
  expect(alive(state.pid)).toBe(false);
  expect(alive(bystander.pid!)).toBe(true);
}, 120_000);

test('init keeps .worksplit/ out of git', async () => {
  const root = makeProject({ ollamaUrl: 'http://127.0.0.1:9', jobs: {} });
  writeFileSync(path.join(root, '.gitignore'), 'node_modules/\n');
  const init = await runCli(['--path', root, 'init', '--force']);
  expect(init.code).toBe(0);
  expect(readFileSync(path.join(root, '.gitignore'), 'utf8')).toBe('node_modules/\n.worksplit/\n');
  await runCli(['--path', root, 'init', '--force']);
  expect(readFileSync(path.join(root, '.gitignore'), 'utf8')).toBe('node_modules/\n.worksplit/\n');
});

test('a process that imitates our server\'s command line but does not answer is not signalled', async () => {
  const root = makeProject({ ollamaUrl: 'http://127.0.0.1:9', jobs: { one: simpleJob('one') } });
  const db = path.join(root, '.worksplit', 'temporal.db');
  const imitation = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 300000)', 'server', 'start-dev', '--db-filename', db], { stdio: 'ignore' });
  try {
    writeState(root, { pid: imitation.pid });
    const stop = await runCli(['--path', root, 'server', 'stop'], { TEMPORAL_ADDRESS: '' });
    expect(stop.output).toContain(`pid ${imitation.pid} runs "temporal server start-dev" on this project's database but does not answer at 127.0.0.1:1; it was not signalled`);
    await new Promise((r) => setTimeout(r, 300));
    expect(alive(imitation.pid!)).toBe(true);
  } finally {
    imitation.kill('SIGKILL');
  }
});

test('a .worksplit folder (or a file in it) that is a symbolic link is refused: no server state is written through it', async () => {
  const outside = mkdtempSync(path.join(os.tmpdir(), 'ws-outside-'));
  const root = makeProject({ ollamaUrl: 'http://127.0.0.1:9', jobs: { one: simpleJob('one') } });
  symlinkSync(outside, path.join(root, '.worksplit'));
  const status = await runCli(['--path', root, 'server', 'status'], { TEMPORAL_ADDRESS: '' });
  expect(status.output).toContain('not running (.worksplit is a symbolic link');
  const start = await runCli(['--path', root, 'server', 'start'], { TEMPORAL_ADDRESS: '' });
  expect(start.code).not.toBe(0);
  expect(start.output).toContain(".worksplit is a symbolic link (to " + outside + "); the Temporal server's state must be this project's own");
  expect(readdirSync(outside)).toEqual([]);

  const other = makeProject({ ollamaUrl: 'http://127.0.0.1:9', jobs: { one: simpleJob('one') } });
  mkdirSync(path.join(other, '.worksplit'));
  symlinkSync(path.join(outside, 'victim.txt'), path.join(other, '.worksplit', 'server.log'));
  const start2 = await runCli(['--path', other, 'server', 'start'], { TEMPORAL_ADDRESS: '' });
  expect(start2.output).toContain('.worksplit/server.log is a symbolic link');
  expect(existsSync(path.join(outside, 'victim.txt'))).toBe(false);
});

test('a jobs/ folder that is a symbolic link out of the project is refused', async () => {
  const outside = mkdtempSync(path.join(os.tmpdir(), 'ws-jobs-outside-'));
  const root = mkdtempSync(path.join(os.tmpdir(), 'ws-jobs-link-'));
  symlinkSync(outside, path.join(root, 'jobs'));
  const v = await runCli(['--path', root, 'validate'], { TEMPORAL_ADDRESS: '' });
  expect(v.code).toBe(2);
  expect(v.output).toContain(`jobs is a symbolic link to ${outside}, outside the project`);
});
