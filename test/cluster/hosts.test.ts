// Past one machine, with faults: the project's worker and `run` in one network namespace, two LLM
// workers in two others (each with its own Ollama stand-in on its own loopback), all reaching the
// PostgreSQL-backed Temporal over veth pairs (test/cluster/hosts.ts), with the commands of
// docs/deploy.md ("The machine that holds the checkout", "LLM workers, one per GPU box"). Four
// faults, each mid-batch: an LLM host killed, the Temporal server killed and restarted, PostgreSQL
// restarted, an LLM host cut off for 30 s and then back. After each: every job passed, its files
// whole, and each job ended once (one completed workflow per job; no other execution).
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Connection } from '@temporalio/client';
import { parseStatusFile } from '../../core/status';
import { loadProject } from '../../client/project';
import { waitFor } from '../support/harness';
import { makeProject, simpleJob } from '../support/project';
import { contentFor } from '../support/replies';
import type { HostCall } from '../support/cluster-llm-host';
import { Host, HostProcess, TestNetwork, readCalls } from './hosts';
import { listed } from './visibility';

const REPO = path.join(__dirname, '..', '..');
const address = () => process.env.WORKSPLIT_CLUSTER_ADDRESS!;
const tmp = () => process.env.WORKSPLIT_TEST_TMP!;

let net: TestNetwork;
let connection: Connection;
beforeAll(async () => {
  net = new TestNetwork();
  await net.up(address());
  connection = await Connection.connect({ address: address() });
});
afterAll(async () => {
  await net?.down();
  await connection?.close();
});

interface Scenario {
  root: string;
  key: string;
  ids: string[];
  calls: Record<'llm1' | 'llm2', string>;
  run: HostProcess;
  /** Runs started after the first one stopped (attaching to the batch). */
  reruns: HostProcess[];
}

let counter = 0;

/** A project of `jobs` jobs on the project host, an LLM worker (capacity 2) and its Ollama stand-in
 * on each LLM host, and `worksplit run` started on the project host. */
async function startScenario(jobs: number, chunkDelayMs: number): Promise<Scenario> {
  const n = ++counter;
  const ids = Array.from({ length: jobs }, (_, i) => `j${String(i).padStart(2, '0')}`);
  const root = makeProject({ ollamaUrl: 'http://127.0.0.1:11434', jobs: Object.fromEntries(ids.map((id) => [id, simpleJob(id)])), toml: '\n[batch]\nmax_concurrent = 4\n' });
  const { proj, llm1, llm2 } = net.hosts;
  // The project's machine: its worker without model calls (it makes the payload key).
  const files = net.worksplit(proj, ['--path', root, 'worker', '--files-only']);
  await waitFor(() => files.output().includes('Worker connected'), 60_000, `the project's worker:\n${files.output()}`);
  const keyFile = path.join(root, '.worksplit', 'payload.key');
  const calls = { llm1: path.join(tmp(), `s${n}-llm1.json`), llm2: path.join(tmp(), `s${n}-llm2.json`) };
  for (const host of [llm1, llm2]) {
    // A GPU box holds no checkout: a folder with the project's worksplit.toml and a copy of its key.
    const dir = path.join(tmp(), `s${n}-${host.name}`);
    mkdirSync(path.join(dir, 'jobs'), { recursive: true });
    copyFileSync(path.join(root, 'worksplit.toml'), path.join(dir, 'worksplit.toml'));
    copyFileSync(keyFile, path.join(dir, 'project.key'));
    const url = await net.startOllama(host, calls[host.name as 'llm1' | 'llm2'], { chunks: 40, chunkDelayMs });
    const w = net.worksplit(host, ['--path', dir, 'worker', '--llm-only', '--llm-capacity', '2', '--url', url, '--key-file', path.join(dir, 'project.key')]);
    await waitFor(() => w.output().includes('Worker connected'), 60_000, `the LLM worker on ${host.name}:\n${w.output()}`);
  }
  const run = net.worksplit(proj, ['--path', root, 'run', '--no-worker', '--no-health-check']);
  const { ref } = await loadProject(root);
  return { root, key: ref.key, ids, calls, run, reruns: [] };
}

const callsOn = (s: Scenario, host: 'llm1' | 'llm2'): HostCall[] => readCalls(s.calls[host]);
const inFlight = (calls: HostCall[]) => calls.filter((c) => !c.completed && !c.aborted && !c.verification);

/** The batch's end: `run` exits 0; a run that stopped on a server fault is run again (it attaches),
 * as the README says a user does. */
async function finish(s: Scenario): Promise<string> {
  let code = await s.run.exited;
  let out = s.run.output();
  while (code !== 0 && s.reruns.length < 3) {
    const again = net.worksplit(net.hosts.proj, ['--path', s.root, 'run', '--no-worker', '--no-health-check']);
    s.reruns.push(again);
    code = await again.exited;
    out = again.output();
  }
  expect(code).toBe(0);
  return out;
}

/** Nothing lost, every job ended once. */
async function expectWhole(s: Scenario, summary: string): Promise<void> {
  expect(summary).toContain(`Batch done: ${s.ids.length} passed, 0 failed, 0 skipped, 0 cancelled (of ${s.ids.length}).`);
  const st = Object.fromEntries(parseStatusFile(readFileSync(path.join(s.root, 'jobs/_jobstatus.json'), 'utf8')).map((e) => [e.id, e]));
  for (const id of s.ids) {
    expect(st[id].status).toBe('pass');
    expect(readFileSync(path.join(s.root, 'out', `${id}.txt`), 'utf8')).toBe(`${contentFor(id)}\n`);
  }
  // Visibility (PostgreSQL) lists every execution with the project's attribute: one per job and
  // one batch, all completed; a job run twice or left running would show here.
  const list = () => listed(connection, 'default', `WorkSplitProject="${s.key}"`);
  await waitFor(async () => (await list()).filter((w) => w.status === 'COMPLETED').length === s.ids.length + 1, 60_000, 'every execution listed as completed');
  const all = await list();
  expect(all.map((w) => w.status)).toEqual(all.map(() => 'COMPLETED'));
  expect(all.map((w) => w.workflowId)).toEqual([`worksplit/${s.key}/batch`, ...s.ids.map((id) => `worksplit/${s.key}/job/${id}`)].sort());
}

async function stopHosts(): Promise<void> {
  for (const h of Object.values(net.hosts) as Host[]) await net.killHost(h);
}

afterEach(stopHosts);

test('an LLM host killed mid-call: its calls finish on the other host', async () => {
  const s = await startScenario(10, 60);
  await waitFor(() => inFlight(callsOn(s, 'llm1')).length >= 1, 120_000, 'a call in flight on llm1');
  const cut = inFlight(callsOn(s, 'llm1')).map((c) => c.job);
  await net.killHost(net.hosts.llm1);
  await expectWhole(s, await finish(s));
  // Each call that llm1 held when it died was made again on llm2 and completed there.
  const second = callsOn(s, 'llm2');
  for (const job of cut) expect(second.some((c) => c.job === job && !c.verification && c.completed)).toBe(true);
  // The project's machine was not touched: its run went on by itself.
  expect(s.reruns).toHaveLength(0);
  console.log(`LLM host killed holding ${cut.join(', ')}; run ${s.reruns.length === 0 ? 'finished on its own' : `was run again ${s.reruns.length} time(s)`}`);
});

const allCalls = (s: Scenario) => callsOn(s, 'llm1').length + callsOn(s, 'llm2').length;

test('the Temporal server killed (SIGKILL) and restarted mid-batch', async () => {
  const s = await startScenario(10, 40);
  await waitFor(() => allCalls(s) >= 4, 120_000, 'the batch under way');
  expect(s.run.child.exitCode).toBeNull();
  expect(execFileSync('bash', [path.join(REPO, 'scripts/cluster/fault.sh'), 'kill-server'], { encoding: 'utf8' })).toMatch(/^killed \d+/);
  const atFault = allCalls(s);
  await new Promise((r) => setTimeout(r, 2000));
  // The guide's start again: the server comes back on the same address, over the same database.
  const restarted = spawnSync('npm', ['run', '--silent', 'cluster:start'], { cwd: REPO, encoding: 'utf8' });
  expect(restarted.stderr).toContain('starting the Temporal server');
  expect(restarted.stdout.trim().split('\n').pop()).toBe(`TEMPORAL_ADDRESS=${address()}`);
  await expectWhole(s, await finish(s));
  expect(allCalls(s)).toBeGreaterThan(atFault);
  console.log(`server killed: ${atFault} calls before the kill, ${allCalls(s)} in all; run ${s.reruns.length === 0 ? 'finished on its own' : `was run again ${s.reruns.length} time(s)`}`);
});

test('PostgreSQL restarted mid-batch', async () => {
  const s = await startScenario(10, 40);
  await waitFor(() => allCalls(s) >= 4, 120_000, 'the batch under way');
  expect(s.run.child.exitCode).toBeNull();
  const restart = execFileSync('bash', [path.join(REPO, 'scripts/cluster/fault.sh'), 'restart-postgres'], { encoding: 'utf8' });
  const [, before, after] = /postmaster (\d+) -> (\d+)/.exec(restart)!;
  expect(after).not.toBe(before);
  const atFault = allCalls(s);
  await expectWhole(s, await finish(s));
  expect(allCalls(s)).toBeGreaterThan(atFault);
  console.log(`PostgreSQL restarted (postmaster ${before} -> ${after}): ${atFault} calls before, ${allCalls(s)} in all; run ${s.reruns.length === 0 ? 'finished on its own' : `was run again ${s.reruns.length} time(s)`}`);
});

test('an LLM host cut off for 30 s and then back: its calls go to the other host, then it takes new ones', async () => {
  // Enough work that the batch outlasts the cut.
  const s = await startScenario(36, 60);
  await waitFor(() => inFlight(callsOn(s, 'llm1')).length >= 1, 120_000, 'a call in flight on llm1');
  const held = inFlight(callsOn(s, 'llm1')).map((c) => c.job);
  net.cut(net.hosts.llm1);
  const cutAt = Date.now();
  await new Promise((r) => setTimeout(r, 30_000));
  net.restore(net.hosts.llm1);
  const backAt = Date.now();
  // Back on the network, llm1 takes new calls again before the batch ends.
  await waitFor(() => callsOn(s, 'llm1').some((c) => c.startedAt > backAt) || s.run.child.exitCode !== null, 120_000, 'llm1 taking calls again');
  expect(callsOn(s, 'llm1').some((c) => c.startedAt > backAt)).toBe(true);
  await expectWhole(s, await finish(s));
  // While it was cut off, the calls it held were made again on llm2.
  const second = callsOn(s, 'llm2');
  for (const job of held) expect(second.some((c) => c.job === job && !c.verification && c.completed && c.startedAt > cutAt)).toBe(true);
  expect(s.reruns).toHaveLength(0);
  console.log(`LLM host cut off holding ${held.join(', ')}; after it was back it made ${callsOn(s, 'llm1').filter((c) => c.startedAt > backAt).length} calls; run ${s.reruns.length === 0 ? 'finished on its own' : `was run again ${s.reruns.length} time(s)`}`);
}, 400_000);
