// The embedded default server: a Temporal CLI dev server per project, persisting to
// .worksplit/temporal.db, with the Web UI on, detached so it outlives the CLI (the batch can be
// inspected and resumed after the CLI exits). State lives in .worksplit/server.json.
import { spawn } from 'node:child_process';
import { promises as fs, openSync, closeSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { Connection } from '@temporalio/client';
import lockfile from 'proper-lockfile';
import { SEARCH_ATTRIBUTE_NAMES } from '../core/search-attributes';
import { DEV_SERVER_DYNAMIC_CONFIG, dynamicConfigArgs, findTemporalCli } from './temporal-cli';

export interface ServerState {
  pid: number;
  port: number;
  uiPort: number;
  address: string;
  uiUrl: string;
  db: string;
  startedAt: string;
}

export interface ServerStatus {
  running: boolean;
  state?: ServerState;
}

function stateDir(root: string): string {
  return path.join(root, '.worksplit');
}

function stateFile(root: string): string {
  return path.join(stateDir(root), 'server.json');
}

async function readState(root: string): Promise<ServerState | undefined> {
  try {
    return JSON.parse(await fs.readFile(stateFile(root), 'utf8')) as ServerState;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether the server answers: the default namespace is described. */
export async function serverAnswers(address: string, timeoutMs = 1000): Promise<boolean> {
  let conn: Connection | undefined;
  try {
    conn = await Connection.connect({ address, connectTimeout: timeoutMs });
    await conn.workflowService.describeNamespace({ namespace: 'default' });
    return true;
  } catch {
    return false;
  } finally {
    await conn?.close().catch(() => undefined);
  }
}

export async function serverStatus(root: string): Promise<ServerStatus> {
  const state = await readState(root);
  if (!state || !alive(state.pid)) return { running: false, state };
  return { running: await serverAnswers(state.address), state };
}

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface StartOptions {
  /** Extra `--dynamic-config-value` pairs (tests lower the continue-as-new threshold). */
  dynamicConfig?: string[];
  timeoutMs?: number;
}

/** Start the project's server unless it already runs; returns its state. Safe to call from two
 * processes at once: a lock makes the second wait and reuse the first one's server. */
export async function ensureServer(root: string, opts: StartOptions = {}): Promise<ServerState> {
  await fs.mkdir(stateDir(root), { recursive: true });
  const release = await lockfile.lock(stateDir(root), {
    lockfilePath: path.join(stateDir(root), 'server.lock'),
    stale: 60_000,
    retries: { retries: 600, minTimeout: 100, maxTimeout: 100 },
  });
  try {
    const st = await serverStatus(root);
    if (st.running && st.state) return st.state;
    if (st.state && alive(st.state.pid)) {
      // Started but not answering yet (or wedged): give it the start-up time before replacing it.
      if (await waitUntilAnswering(st.state.address, st.state.pid, opts.timeoutMs ?? 30_000)) return st.state;
      await stopPid(st.state.pid);
    }
    return await startServer(root, st.state, opts);
  } finally {
    await release();
  }
}

async function startServer(root: string, previous: ServerState | undefined, opts: StartOptions): Promise<ServerState> {
  // Keep the ports of the last start when they are free, so the Web UI address stays the same.
  const port = previous && (await portFree(previous.port)) ? previous.port : await freePort();
  let uiPort = previous && previous.uiPort !== port && (await portFree(previous.uiPort)) ? previous.uiPort : await freePort();
  while (uiPort === port) uiPort = await freePort();
  const db = path.join(stateDir(root), 'temporal.db');
  const args = [
    'server', 'start-dev',
    '--db-filename', db,
    '--ip', '127.0.0.1',
    '--port', String(port),
    '--ui-port', String(uiPort),
    '--ui-disable-news-fetch',
    '--log-level', 'warn',
    // WAL with synchronous=NORMAL: every state change still survives a crash of the server
    // process; only an OS crash can lose the last few. Several times faster than the default.
    '--sqlite-pragma', 'journal_mode=wal',
    '--sqlite-pragma', 'synchronous=normal',
    ...SEARCH_ATTRIBUTE_NAMES.flatMap((a) => ['--search-attribute', `${a}=Keyword`]),
    ...dynamicConfigArgs([...DEV_SERVER_DYNAMIC_CONFIG, ...(opts.dynamicConfig ?? [])]),
  ];
  const log = openSync(path.join(stateDir(root), 'server.log'), 'a');
  const child = spawn(findTemporalCli(), args, { detached: true, stdio: ['ignore', log, log], cwd: root });
  closeSync(log);
  child.unref();
  if (child.pid === undefined) throw new Error('could not start the Temporal dev server (no process id)');
  const address = `127.0.0.1:${port}`;
  const state: ServerState = {
    pid: child.pid,
    port,
    uiPort,
    address,
    uiUrl: `http://127.0.0.1:${uiPort}`,
    db,
    startedAt: new Date().toISOString(),
  };
  await fs.writeFile(stateFile(root), JSON.stringify(state, null, 2));
  if (!(await waitUntilAnswering(address, child.pid, opts.timeoutMs ?? 30_000))) {
    const tail = (await fs.readFile(path.join(stateDir(root), 'server.log'), 'utf8').catch(() => '')).split('\n').slice(-8).join('\n');
    throw new Error(`the Temporal dev server did not come up on ${address} (log: .worksplit/server.log)\n${tail}`);
  }
  return state;
}

async function waitUntilAnswering(address: string, pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive(pid)) return false;
    if (await serverAnswers(address)) return true;
    await new Promise((r) => setTimeout(r, 150));
  }
  return false;
}

async function stopPid(pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + 10_000;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (alive(pid)) process.kill(pid, 'SIGKILL');
}

/** Stop the project's server; returns false when none was running. Its database stays. */
export async function stopServer(root: string): Promise<boolean> {
  const state = await readState(root);
  if (!state || !alive(state.pid)) return false;
  await stopPid(state.pid);
  return true;
}
