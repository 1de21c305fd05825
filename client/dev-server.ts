// The embedded default server: a Temporal CLI dev server per project, persisting to
// .worksplit/temporal.db, with the Web UI on, detached so it outlives the CLI (the batch can be
// inspected and resumed after the CLI exits). State lives in .worksplit/server.json.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, promises as fs, openSync, closeSync, fchmodSync, readFileSync, readdirSync, statSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import type { Connection } from '@temporalio/client';
import { writeFileAtomic } from '../project/atomic-write';
import { packageRoot } from '../worker/bundle';
import { DEV_SERVER_DYNAMIC_CONFIG, dynamicConfigArgs, findTemporalCli } from './temporal-cli';

export interface ServerState {
  pid: number;
  port: number;
  uiPort: number;
  address: string;
  uiUrl: string;
  db: string;
  startedAt: string;
  /** The database file's identity (device and inode) once the server made it: the server is
   * still this project's after the folder is moved (its command line names the old path). */
  dbDev?: number;
  dbIno?: number;
  /** The Web UI's front door and codec endpoint (client/ui-front.ts), where `uiUrl` points; the
   * dev server's own UI is on `uiPort`. */
  frontPort?: number;
  frontPid?: number;
}

export interface ServerStatus {
  running: boolean;
  state?: ServerState;
  /** Why the recorded server is not taken for this project's (its pid is another process, the
   * file is malformed); set only when server.json exists but cannot be trusted. */
  untrusted?: string;
}

function stateDir(root: string): string {
  return path.join(root, '.worksplit');
}

function stateFile(root: string): string {
  return path.join(stateDir(root), 'server.json');
}

/** The names the server keeps in .worksplit/ (SQLite adds -wal and -shm beside the database). */
const STATE_FILES = ['server.json', 'server.log', 'server.lock', 'temporal.db', 'temporal.db-wal', 'temporal.db-shm'];

/** .worksplit/ holds every prompt and answer (the database), the server's address and the payload
 * key: the owner's alone. The folder is 0700 and its files 0600, fixed on every start when an
 * older version (or a copy) left them wider. */
export const STATE_DIR_MODE = 0o700;

/** Where the UI front (client/ui-front.ts) answers the Web UI's codec requests. */
export const CODEC_PATH = '/worksplit-codec';
export const STATE_FILE_MODE = 0o600;

/** Make .worksplit/ (0700) or narrow it and the files in it to the owner (0600 files); returns its
 * path. Symbolic links are refused before this is called (stateDirProblem). */
export async function secureStateDir(root: string): Promise<string> {
  const dir = stateDir(root);
  await fs.mkdir(dir, { recursive: true, mode: STATE_DIR_MODE });
  const st = await fs.lstat(dir);
  if ((st.mode & 0o777) !== STATE_DIR_MODE) await fs.chmod(dir, STATE_DIR_MODE);
  for (const name of await fs.readdir(dir)) {
    const p = path.join(dir, name);
    const f = await fs.lstat(p).catch(() => undefined);
    if (!f || f.isSymbolicLink()) continue;
    const want = f.isDirectory() ? STATE_DIR_MODE : STATE_FILE_MODE;
    if ((f.mode & 0o777 & ~want) !== 0) await fs.chmod(p, want).catch(() => undefined);
  }
  return dir;
}


/** Why .worksplit/ cannot hold this project's server state, if it cannot: it, or a file in it, is
 * a symbolic link. Followed, the server's log and database would be written elsewhere, or shared
 * with another project's server (two servers on one SQLite database). */
async function stateDirProblem(root: string): Promise<string | undefined> {
  const dir = stateDir(root);
  for (const p of [dir, ...STATE_FILES.map((f) => path.join(dir, f))]) {
    const st = await fs.lstat(p).catch(() => undefined);
    if (st?.isSymbolicLink()) {
      const rel = path.relative(root, p);
      return `${rel} is a symbolic link (to ${await fs.readlink(p).catch(() => '?')}); the Temporal server's state must be this project's own: remove the link`;
    }
  }
  return undefined;
}

function dbPath(root: string): string {
  return path.join(path.resolve(stateDir(root)), 'temporal.db');
}

/** server.json as written by startServer, or why it is not: the file can be stale (pids are
 * reused after a reboot), committed from another machine, or edited by hand, and its pid is about
 * to be signalled, so every field is checked before anything trusts it. */
async function readState(root: string): Promise<{ state?: ServerState; untrusted?: string }> {
  let text: string;
  try {
    text = await fs.readFile(stateFile(root), 'utf8');
  } catch {
    return {};
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { untrusted: '.worksplit/server.json is not valid JSON' };
  }
  const problem = stateProblem(raw);
  if (problem) return { untrusted: `.worksplit/server.json: ${problem}` };
  return { state: raw as ServerState };
}

function isPort(v: unknown): v is number {
  return Number.isSafeInteger(v) && (v as number) > 0 && (v as number) < 65536;
}

function stateProblem(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null) return 'not an object';
  const r = raw as Record<string, unknown>;
  // pid 0 and negative pids signal process groups (-1: every process we may signal); 1 is init.
  if (typeof r.pid !== 'number' || !Number.isSafeInteger(r.pid) || r.pid <= 1) return `field "pid" must be an integer above 1 (got ${JSON.stringify(r.pid)})`;
  if (!isPort(r.port)) return 'field "port" is not a port number';
  if (!isPort(r.uiPort)) return 'field "uiPort" is not a port number';
  if (r.address !== `127.0.0.1:${r.port}`) return 'field "address" does not match "port"';
  if (typeof r.uiUrl !== 'string' || typeof r.db !== 'string') return 'fields "uiUrl" and "db" must be strings';
  return undefined;
}

/** Whether a process with this pid exists (signal 0 checks without signalling). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The command line of a live process, as arguments; undefined when it cannot be read. */
function commandLine(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((a) => a !== '');
  } catch {
    // No /proc (macOS): ps prints the arguments joined by spaces, enough for the checks below.
  }
  try {
    const line = execFileSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return line ? line.split(' ') : undefined;
  } catch {
    return undefined;
  }
}

interface FileIdentity {
  dev: number;
  ino: number;
}

function identityOf(file: string): FileIdentity | undefined {
  try {
    const st = statSync(file);
    return { dev: st.dev, ino: st.ino };
  } catch {
    return undefined;
  }
}

const same = (a: FileIdentity | undefined, b: FileIdentity | undefined) => !!a && !!b && a.dev === b.dev && a.ino === b.ino;

/** Whether pid has the file open (Linux: /proc/PID/fd); undefined where that cannot be seen. */
function holds(pid: number, file: FileIdentity): boolean | undefined {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return existsProc() ? false : undefined;
  }
  return fds.some((fd) => same(identityOf(`/proc/${pid}/fd/${fd}`), file));
}

function existsProc(): boolean {
  try {
    readdirSync('/proc/self/fd');
    return true;
  } catch {
    return false;
  }
}

/** The --db-filename of a `temporal server start-dev` command line; undefined for any other. */
function devServerDb(args: string[] | undefined): string | undefined {
  if (!args) return undefined;
  const i = args.indexOf('start-dev');
  const db = args.indexOf('--db-filename');
  return i > 0 && args[i - 1] === 'server' && db >= 0 ? args[db + 1] : undefined;
}

/** Whether pid is this project's dev server: a `temporal server start-dev` on this project's
 * .worksplit/temporal.db. Only such a process is ever signalled. The database is recognised by
 * its path, or, after the project folder was moved (the command line names the old path), by the
 * file's identity: the process has this very file open (Linux), or, where that cannot be seen,
 * server.json recorded this file's identity and the old path holds no other database. */
export function isProjectServer(pid: number, root: string, recorded?: Pick<ServerState, 'dbDev' | 'dbIno'>): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 1 || !alive(pid)) return false;
  const db = devServerDb(commandLine(pid));
  if (db === undefined) return false;
  if (db === dbPath(root)) return true;
  const ours = identityOf(dbPath(root));
  if (!ours) return false;
  const open = holds(pid, ours);
  if (open !== undefined) return open;
  const named = identityOf(db);
  return same(ours, recorded && recorded.dbDev !== undefined && recorded.dbIno !== undefined ? { dev: recorded.dbDev, ino: recorded.dbIno } : undefined) && (!named || same(named, ours));
}

/** A `temporal server start-dev` that has this project's database open, whatever path its
 * command line names (Linux only; elsewhere undefined): a second server must never be started
 * on one database. */
function serverHoldingDb(root: string): { pid: number; args: string[] } | undefined {
  const ours = identityOf(dbPath(root));
  if (!ours || !existsProc()) return undefined;
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isSafeInteger(pid) || pid <= 1 || pid === process.pid) continue;
    const args = commandLine(pid);
    if (devServerDb(args) === undefined) continue;
    if (holds(pid, ours)) return { pid, args: args! };
  }
  return undefined;
}

function argValue(args: string[], name: string): number | undefined {
  const i = args.indexOf(name);
  const v = i >= 0 ? Number(args[i + 1]) : NaN;
  return isPort(v) ? v : undefined;
}

/** Whether the server answers: the default namespace is described. */
export async function serverAnswers(address: string, timeoutMs = 1000): Promise<boolean> {
  let conn: Connection | undefined;
  try {
    // Loaded here: a command that only reads server.json does not pay for the client.
    const { Connection } = require('@temporalio/client') as typeof import('@temporalio/client');
    conn = await Connection.connect({ address, connectTimeout: timeoutMs });
    await conn.workflowService.describeNamespace({ namespace: 'default' });
    return true;
  } catch {
    return false;
  } finally {
    await conn?.close().catch(() => undefined);
  }
}

/** The server server.json records, when its process is this project's server; nothing is asked
 * of it (for a caller whose own connection is the check). */
export async function recordedServer(root: string): Promise<ServerState | undefined> {
  if (await stateDirProblem(root)) return undefined;
  const { state } = await readState(root);
  return state && alive(state.pid) && isProjectServer(state.pid, root, state) ? state : undefined;
}

export async function serverStatus(root: string): Promise<ServerStatus> {
  const linked = await stateDirProblem(root);
  if (linked) return { running: false, untrusted: linked };
  const { state, untrusted } = await readState(root);
  if (!state) return { running: false, untrusted };
  if (!alive(state.pid)) return { running: false, state };
  if (!isProjectServer(state.pid, root, state)) {
    return { running: false, untrusted: `.worksplit/server.json names pid ${state.pid}, which is not this project's Temporal server (left alone)` };
  }
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
  /** Told when server.json was found untrustworthy and a new server is started instead. */
  onNote?: (message: string) => void;
  /** Serve the server's Prometheus metrics on this port (`bench/hops.ts` counts persistence
   * requests per job from them); off by default. */
  metricsPort?: number;
}

/** Start the project's server unless it already runs; returns its state. Safe to call from two
 * processes at once: a lock makes the second wait and reuse the first one's server. */
export async function ensureServer(root: string, opts: StartOptions = {}): Promise<ServerState> {
  const linked = await stateDirProblem(root);
  if (linked) throw new Error(linked);
  // A server that answers is used without the lock, which only keeps two processes from
  // starting two servers.
  await secureStateDir(root);
  const seen = await serverStatus(root);
  if (seen.running && seen.state) return reviveFront(root, seen.state);
  // Loaded here, like the modules startServer needs: `status` only reads server.json.
  const lockfile = require('proper-lockfile') as typeof import('proper-lockfile');
  const release = await lockfile.lock(stateDir(root), {
    lockfilePath: path.join(stateDir(root), 'server.lock'),
    stale: 60_000,
    retries: { retries: 600, minTimeout: 100, maxTimeout: 100 },
  });
  try {
    const st = await serverStatus(root);
    if (st.running && st.state) return st.state;
    // A server on this database that server.json does not name (server.json lost or replaced):
    // taken when it answers, never doubled.
    const holder = serverHoldingDb(root);
    if (holder) {
      const port = argValue(holder.args, '--port');
      const uiPort = argValue(holder.args, '--ui-port');
      if (port && uiPort && (await serverAnswers(`127.0.0.1:${port}`))) {
        const state: ServerState = { pid: holder.pid, port, uiPort, address: `127.0.0.1:${port}`, uiUrl: `http://127.0.0.1:${uiPort}`, db: dbPath(root), startedAt: new Date().toISOString(), ...dbIdentity(root) };
        await writeState(root, state);
        opts.onNote?.(`found this project's Temporal server (pid ${holder.pid}) running on its database; .worksplit/server.json names it again`);
        return state;
      }
      throw new Error(`pid ${holder.pid} runs "temporal server start-dev" on this project's database but does not answer; a second server is not started on one database. If it is a wedged server, stop it yourself (kill ${holder.pid}), then try again`);
    }
    if (st.untrusted) opts.onNote?.(`${st.untrusted}; starting a new server`);
    if (st.state && !st.untrusted && alive(st.state.pid)) {
      // Ours by its command line, but not answering yet: give it the start-up time. One that never
      // answers is not signalled (a command line can be imitated); the user is told instead.
      if (await waitUntilAnswering(st.state.address, st.state.pid, opts.timeoutMs ?? 30_000)) return st.state;
      throw new Error(notAnswering(st.state));
    }
    return await startServer(root, st.untrusted ? undefined : st.state, opts);
  } finally {
    await release();
  }
}

async function startServer(root: string, previous: ServerState | undefined, opts: StartOptions): Promise<ServerState> {
  // Keep the ports of the last start when they are free, so the Web UI address stays the same.
  const port = previous && (await portFree(previous.port)) ? previous.port : await freePort();
  let uiPort = previous && previous.uiPort !== port && (await portFree(previous.uiPort)) ? previous.uiPort : await freePort();
  while (uiPort === port) uiPort = await freePort();
  let frontPort = previous?.frontPort && ![port, uiPort].includes(previous.frontPort) && (await portFree(previous.frontPort)) ? previous.frontPort : await freePort();
  while (frontPort === port || frontPort === uiPort) frontPort = await freePort();
  const db = dbPath(root);
  const { SEARCH_ATTRIBUTE_NAMES } = require('../core/search-attributes') as typeof import('../core/search-attributes');
  const args = [
    'server', 'start-dev',
    '--db-filename', db,
    '--ip', '127.0.0.1',
    '--port', String(port),
    '--ui-port', String(uiPort),
    '--ui-disable-news-fetch',
    // The UI decodes sealed payloads through the front, for the owner's browser only.
    '--ui-codec-endpoint', `http://127.0.0.1:${frontPort}${CODEC_PATH}`,
    '--log-level', 'warn',
    // WAL with synchronous=NORMAL: every state change still survives a crash of the server
    // process; only an OS crash can lose the last few. Several times faster than the default.
    '--sqlite-pragma', 'journal_mode=wal',
    '--sqlite-pragma', 'synchronous=normal',
    ...SEARCH_ATTRIBUTE_NAMES.flatMap((a) => ['--search-attribute', `${a}=Keyword`]),
    ...dynamicConfigArgs([...DEV_SERVER_DYNAMIC_CONFIG, ...(opts.dynamicConfig ?? [])]),
    ...(opts.metricsPort ? ['--metrics-port', String(opts.metricsPort)] : []),
  ];
  // The database, its -wal and -shm, and the log are the owner's alone (0600): the server makes
  // the database files (an empty file in its place would be taken for a database without its
  // schema) under umask 077; existing ones were narrowed by secureStateDir.
  const log = openSync(path.join(stateDir(root), 'server.log'), 'a', STATE_FILE_MODE);
  fchmodSync(log, STATE_FILE_MODE);
  const temporal = findTemporalCli();
  const umask = process.umask(0o077);
  let child: ReturnType<typeof spawn>;
  try {
    child = spawn(temporal, args, { detached: true, stdio: ['ignore', log, log], cwd: root });
  } finally {
    process.umask(umask);
    closeSync(log);
  }
  child.unref();
  if (child.pid === undefined) throw new Error('could not start the Temporal dev server (no process id)');
  const address = `127.0.0.1:${port}`;
  const front = await startFront(root, frontPort, uiPort, child.pid);
  const state: ServerState = {
    pid: child.pid,
    port,
    uiPort,
    address,
    uiUrl: `http://127.0.0.1:${frontPort}`,
    db,
    startedAt: new Date().toISOString(),
    frontPort,
    ...(front ? { frontPid: front } : {}),
  };
  await writeState(root, state);
  if (!(await waitUntilAnswering(address, child.pid, opts.timeoutMs ?? 30_000))) {
    const tail = (await fs.readFile(path.join(stateDir(root), 'server.log'), 'utf8').catch(() => '')).split('\n').slice(-8).join('\n');
    throw new Error(`the Temporal dev server did not come up on ${address} (log: .worksplit/server.log)\n${tail}`);
  }
  // The database exists now: its identity recognises the server after the folder moves.
  const known = { ...state, ...dbIdentity(root) };
  await writeState(root, known);
  return known;
}

/** The running server's UI front, started again when it is gone (killed, or the machine's
 * processes cleaned up) on the port the server's UI was told. */
async function reviveFront(root: string, state: ServerState): Promise<ServerState> {
  if (!state.frontPort) return state;
  const pid = state.frontPid;
  const running = pid !== undefined && alive(pid) && (commandLine(pid) ?? []).some((a) => a.endsWith('ui-front.js'));
  if (running || !(await portFree(state.frontPort))) return state;
  const frontPid = await startFront(root, state.frontPort, state.uiPort, state.pid);
  const next = { ...state, ...(frontPid ? { frontPid } : {}) };
  await writeState(root, next);
  return next;
}

/** Start the UI front (client/ui-front.ts) beside the server; it ends when the server does. */
async function startFront(root: string, port: number, uiPort: number, serverPid: number): Promise<number | undefined> {
  const script = [path.join(__dirname, 'ui-front.js'), path.join(packageRoot(), 'dist', 'client', 'ui-front.js')].find((f) => existsSync(f));
  if (!script) return undefined;
  const log = openSync(path.join(stateDir(root), 'server.log'), 'a', STATE_FILE_MODE);
  const umask = process.umask(0o077);
  try {
    const child = spawn(process.execPath, [script, path.resolve(root), String(port), String(uiPort), String(serverPid)], { detached: true, stdio: ['ignore', log, log], cwd: root });
    child.unref();
    return child.pid;
  } finally {
    process.umask(umask);
    closeSync(log);
  }
}

function dbIdentity(root: string): Pick<ServerState, 'dbDev' | 'dbIno'> {
  const id = identityOf(dbPath(root));
  return id ? { dbDev: id.dev, dbIno: id.ino } : {};
}

async function writeState(root: string, state: ServerState): Promise<void> {
  await writeFileAtomic(stateFile(root), JSON.stringify(state, null, 2), { displayName: '.worksplit/server.json' });
  // Made with the process's umask (in a folder no one else may enter); the owner's alone from here.
  await fs.chmod(stateFile(root), STATE_FILE_MODE);
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

/** SIGTERM, then SIGKILL after 10 s; the identity is checked again before each signal, since the
 * process may exit and its pid be reused meanwhile. */
async function stopProjectServer(state: ServerState, root: string): Promise<void> {
  const { pid } = state;
  if (!isProjectServer(pid, root, state)) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 10_000;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (isProjectServer(pid, root, state)) process.kill(pid, 'SIGKILL');
}

function notAnswering(state: ServerState): string {
  return `pid ${state.pid} runs "temporal server start-dev" on this project's database but does not answer at ${state.address}; it was not signalled. If it is a wedged server, stop it yourself (kill ${state.pid}), then try again`;
}

export type StopResult = { stopped: true } | { stopped: false; why: string };

/** Stop the project's server. Its database stays. Only a process verified to be this project's
 * server is signalled. */
export async function stopServer(root: string): Promise<StopResult> {
  const st = await serverStatus(root);
  if (st.untrusted) return { stopped: false, why: st.untrusted };
  if (!st.state || !alive(st.state.pid)) return { stopped: false, why: 'No Temporal dev server was running for this project.' };
  // Its command line names our database, and the recorded address must answer as a server too.
  if (!st.running) return { stopped: false, why: notAnswering(st.state) };
  await stopProjectServer(st.state, root);
  return { stopped: true };
}
