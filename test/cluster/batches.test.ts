// worksplit against a production-shaped Temporal (the server built from go.temporal.io/server,
// PostgreSQL for persistence and visibility), reached as docs/deploy.md says: TEMPORAL_ADDRESS in
// the environment. Every command goes through the built CLI as a separate process, as a user runs
// it: run, status, ui, pause, resume, concurrency, cancel, and run again after a kill -9.
import { readFileSync, writeFileSync } from 'node:fs';
import { AddressInfo, createServer } from 'node:net';
import * as path from 'node:path';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { parseStatusFile } from '../../core/status';
import { loadProject } from '../../client/project';
import { OllamaTestServer } from '../support/ollama-test-server';
import { waitFor } from '../support/harness';
import { Spawned, runCli, spawnCli } from '../support/processes';
import { makeProject, simpleJob } from '../support/project';
import { contentFor, isVerification, jobOf, passingReplies } from '../support/replies';
import { listed } from './visibility';

const address = () => process.env.WORKSPLIT_CLUSTER_ADDRESS!;
const env = (extra: Record<string, string> = {}) => ({ TEMPORAL_ADDRESS: address(), TEMPORAL_UI_URL: '', ...extra });
const statuses = (root: string) => Object.fromEntries(parseStatusFile(readFileSync(path.join(root, 'jobs/_jobstatus.json'), 'utf8')).map((e) => [e.id, e]));

let ollama: OllamaTestServer;
let connection: Connection;
const spawned: Spawned[] = [];
beforeAll(async () => {
  ollama = await new OllamaTestServer().start();
  connection = await Connection.connect({ address: address() });
});
afterAll(async () => {
  for (const s of spawned) s.child.kill('SIGKILL');
  await ollama.stop();
  await connection.close();
});
beforeEach(() => ollama.resetStats());

/** The ids of the workflows PostgreSQL visibility lists for a query. */
async function listedIds(namespace: string, query: string): Promise<string[]> {
  return (await listed(connection, namespace, query)).map((w) => w.workflowId);
}

test('run: a batch with dependencies passes; status, ui and the project list in PostgreSQL visibility', async () => {
  ollama.respond = passingReplies({ latencyMs: 20 });
  const root = makeProject({
    ollamaUrl: ollama.url,
    jobs: { a: simpleJob('a'), b: simpleJob('b', { depends_on: ['a'] }), c: simpleJob('c', { depends_on: ['a'] }), d: simpleJob('d', { depends_on: ['b', 'c'] }) },
  });
  const r = await runCli(['--path', root, 'run'], env());
  expect(r.output).toContain('Batch done: 4 passed, 0 failed, 0 skipped, 0 cancelled (of 4).');
  expect(r.code).toBe(0);
  // No UI address is known for a self-hosted server: the run says where to set it.
  expect(r.output).toContain(`Web UI: the Web UI of ${address()} is not known: set TEMPORAL_UI_URL`);
  for (const id of ['a', 'b', 'c', 'd']) {
    expect(statuses(root)[id].status).toBe('pass');
    expect(readFileSync(path.join(root, 'out', `${id}.txt`), 'utf8')).toBe(`${contentFor(id)}\n`);
  }
  // Dependencies held: d's generation came after b's and c's verifications.
  const order = ollama.calls().map((c) => `${jobOf(c)}:${isVerification(c) ? 'verify' : 'gen'}`);
  expect(order.indexOf('d:gen')).toBeGreaterThan(order.indexOf('b:verify'));
  expect(order.indexOf('d:gen')).toBeGreaterThan(order.indexOf('c:verify'));

  const status = JSON.parse((await runCli(['--path', root, 'status', '--json'], env())).output);
  expect(status).toMatchObject({ running: false, batch: null, totals: { total: 4, passed: 4, failed: 0 } });

  const { ref } = await loadProject(root);
  // The batch and its four jobs, each found by its WorkSplitProject keyword in SQL visibility, and
  // the jobs' final WorkSplitStatus.
  await waitFor(async () => (await listedIds('default', `WorkSplitProject="${ref.key}"`)).length === 5, 30_000, 'five workflows listed');
  expect(await listedIds('default', `WorkSplitProject="${ref.key}" AND WorkSplitStatus="pass"`)).toEqual(['a', 'b', 'c', 'd'].map((id) => `worksplit/${ref.key}/job/${id}`));

  const noUi = await runCli(['--path', root, 'ui'], env());
  expect(noUi.code).toBe(2);
  expect(noUi.output).toContain('set TEMPORAL_UI_URL');
  const ui = await runCli(['--path', root, 'ui'], env({ TEMPORAL_UI_URL: 'http://temporal-ui.internal:8080' }));
  expect(ui.code).toBe(0);
  expect(ui.output).toContain(`batch: http://temporal-ui.internal:8080/namespaces/default/workflows/${encodeURIComponent(`worksplit/${ref.key}/batch`)}`);
  expect(ui.output).toContain(`jobs:  http://temporal-ui.internal:8080/namespaces/default/workflows?query=${encodeURIComponent(`WorkSplitProject="${ref.key}"`)}`);
});

test('a namespace without the search attributes: run registers them through the operator service, then the batch passes', async () => {
  ollama.respond = passingReplies({ latencyMs: 10 });
  const namespace = `ws-fresh-${Date.now().toString(36)}`;
  await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') });
  // A new namespace reaches the frontend's cache within seconds.
  await waitFor(async () => (await runCli(['--path', makeProject({ ollamaUrl: ollama.url, jobs: {} }), 'status'], env({ TEMPORAL_NAMESPACE: namespace }))).code === 0, 60_000, 'namespace usable');
  const before = await connection.operatorService.listSearchAttributes({ namespace });
  expect(Object.keys(before.customAttributes ?? {})).not.toContain('WorkSplitProject');

  const root = makeProject({ ollamaUrl: ollama.url, jobs: { x: simpleJob('x'), y: simpleJob('y') } });
  const r = await runCli(['--path', root, 'run'], env({ TEMPORAL_NAMESPACE: namespace }));
  expect(r.output).toContain(`Registered the search attributes WorkSplitProject, WorkSplitJob, WorkSplitStatus in namespace "${namespace}"`);
  expect(r.output).toContain('Batch done: 2 passed');
  expect(r.code).toBe(0);
  const after = await connection.operatorService.listSearchAttributes({ namespace });
  expect(Object.keys(after.customAttributes ?? {})).toEqual(expect.arrayContaining(['WorkSplitProject', 'WorkSplitJob', 'WorkSplitStatus']));
  const { ref } = await loadProject(root);
  await waitFor(async () => (await listedIds(namespace, `WorkSplitProject="${ref.key}"`)).length === 3, 30_000, 'three workflows listed');

  // A second run finds them registered and says nothing about it.
  const again = await runCli(['--path', root, 'run', '--rerun'], env({ TEMPORAL_NAMESPACE: namespace }));
  expect(again.code).toBe(0);
  expect(again.output).not.toContain('Registered the search attributes');
});

test('a client-config profile instead of TEMPORAL_ADDRESS: the batch runs on the profile\'s server and namespace', async () => {
  ollama.respond = passingReplies({ latencyMs: 10 });
  const root = makeProject({ ollamaUrl: ollama.url, jobs: { p: simpleJob('p') } });
  const file = path.join(process.env.WORKSPLIT_TEST_TMP!, `temporal-${Date.now()}.toml`);
  writeFileSync(file, `[profile.cluster]\naddress = "${address()}"\nnamespace = "default"\n`);
  const r = await runCli(['--path', root, 'run'], { TEMPORAL_ADDRESS: '', TEMPORAL_UI_URL: '', TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'cluster' });
  expect(r.output).toContain('Batch done: 1 passed');
  expect(r.code).toBe(0);
  const { ref } = await loadProject(root);
  await waitFor(async () => (await listedIds('default', `WorkSplitProject="${ref.key}"`)).length === 2, 30_000, 'two workflows listed');
});

test('search attributes that cannot be registered (every Keyword column of SQL visibility taken): run stops with the commands to run', async () => {
  const namespace = `ws-full-${Date.now().toString(36)}`;
  await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') });
  // PostgreSQL visibility has a fixed number of Keyword columns per namespace: take them all.
  let taken = 0;
  await waitFor(async () => {
    try {
      await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: { [`Filler${taken}`]: 2 } });
      taken++;
      return false;
    } catch (e) {
      // Not found until the new namespace reaches the frontend's cache; then the columns run out.
      return !/not found/i.test((e as Error).message);
    }
  }, 60_000, 'every Keyword column taken');
  expect(taken).toBeGreaterThan(0);
  const root = makeProject({ ollamaUrl: ollama.url, jobs: { x: simpleJob('x') } });
  const r = await runCli(['--path', root, 'run'], env({ TEMPORAL_NAMESPACE: namespace }));
  expect(r.code).toBe(2);
  expect(r.output).toContain(`the search attributes WorkSplitProject, WorkSplitJob, WorkSplitStatus are not registered in namespace "${namespace}" on ${address()}, and registering search attributes failed`);
  expect(r.output).toContain(`temporal operator search-attribute create --address ${address()} --namespace ${namespace} --name WorkSplitProject --type Keyword`);
  expect(r.output).toContain('[temporal] search_attributes = false');
  expect(ollama.calls()).toHaveLength(0);
});

test('a namespace that does not exist: run and worker stop with the command that creates it; a server that does not answer is named', async () => {
  const root = makeProject({ ollamaUrl: ollama.url, jobs: { x: simpleJob('x') } });
  for (const args of [['run'], ['worker', '--files-only']]) {
    const r = await runCli(['--path', root, ...args], env({ TEMPORAL_NAMESPACE: 'no-such-namespace' }));
    expect(r.code).toBe(2);
    expect(r.output).toContain(`the namespace "no-such-namespace" does not exist on ${address()}: create it: temporal operator namespace create --address ${address()} --namespace no-such-namespace --retention 72h`);
  }
  // Nothing listens on the port a closed listener just had: every command says so, not "no batch".
  const dead = await new Promise<string>((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const a = `127.0.0.1:${(srv.address() as AddressInfo).port}`;
      srv.close(() => resolve(a));
    });
  });
  for (const args of [['run'], ['pause'], ['cancel', 'all'], ['status']]) {
    const r = await runCli(['--path', root, ...args], env({ TEMPORAL_ADDRESS: dead }));
    expect([args[0], r.code]).toEqual([args[0], 2]);
    expect(r.output).toContain(`the Temporal server at ${dead} does not answer`);
  }
  expect(ollama.calls()).toHaveLength(0);
});

test('kill -9 of run during a generation and during a verification: run again attaches and finishes, each job once', async () => {
  const ids = ['k0', 'k1', 'k2', 'k3', 'k4', 'k5'];
  let onCall: (verification: boolean) => void = () => undefined;
  ollama.respond = (req) => {
    onCall(isVerification(req));
    return passingReplies({ chunks: 20, tokenDelayMs: 15 })(req);
  };
  const root = makeProject({ ollamaUrl: ollama.url, jobs: Object.fromEntries(ids.map((id) => [id, simpleJob(id)])), toml: '\n[batch]\nmax_concurrent = 2\n' });
  const killWhen = async (verification: boolean) => {
    const run = spawnCli(['--path', root, 'run', '-q'], env());
    spawned.push(run);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`never saw a ${verification ? 'verification' : 'generation'}`)), 60_000);
      onCall = (v) => {
        if (v !== verification) return;
        onCall = () => undefined;
        clearTimeout(timer);
        setTimeout(() => {
          run.child.kill('SIGKILL');
          resolve();
        }, 60);
      };
    });
    await run.exited;
  };
  await killWhen(false);
  await killWhen(true);
  const final = await runCli(['--path', root, 'run'], env());
  expect(final.output).toContain('Attached to the running batch');
  expect(final.output).toMatch(/Batch done: 6 passed, 0 failed, 0 skipped, 0 cancelled \(of 6\)/);
  expect(final.code).toBe(0);
  const st = statuses(root);
  for (const id of ids) {
    expect(st[id].status).toBe('pass');
    expect(readFileSync(path.join(root, 'out', `${id}.txt`), 'utf8')).toBe(`${contentFor(id)}\n`);
  }
  // One batch and one job workflow per job: every job ended once.
  const { ref } = await loadProject(root);
  await waitFor(async () => (await listedIds('default', `WorkSplitProject="${ref.key}"`)).length === 7, 30_000, 'seven workflows listed');
  expect(await listedIds('default', `WorkSplitProject="${ref.key}" AND ExecutionStatus="Completed"`)).toHaveLength(7);
});

test('pause, status, concurrency, resume and cancel steer a running batch from other processes', async () => {
  ollama.respond = (req) => (jobOf(req) === 'victim' && !isVerification(req) ? { content: 'x '.repeat(400), chunks: 400, tokenDelayMs: 25 } : passingReplies({ latencyMs: 300 })(req));
  const ids = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'];
  const root = makeProject({
    ollamaUrl: ollama.url,
    // p1 runs alone first; the rest wait for it, so the pause lands while p1 runs.
    jobs: { p1: simpleJob('p1'), ...Object.fromEntries(ids.slice(1).map((id) => [id, simpleJob(id, { depends_on: ['p1'] })])), victim: simpleJob('victim', { depends_on: ['p1'] }), after: simpleJob('after', { depends_on: ['victim'] }) },
    toml: '\n[batch]\nmax_concurrent = 1\n',
    ollamaToml: 'parallel = 4\n',
  });
  const run = spawnCli(['--path', root, 'run'], env());
  spawned.push(run);
  await waitFor(() => ollama.calls().length >= 1, 60_000, 'first call');
  const paused = await runCli(['--path', root, 'pause'], env());
  expect(paused.output).toContain('Paused');
  expect(paused.code).toBe(0);
  // Running jobs finish, nothing new starts.
  await waitFor(async () => JSON.parse((await runCli(['--path', root, 'status', '--json'], env())).output).batch?.totals.running === 0, 60_000, 'running job to finish');
  const callsWhilePaused = ollama.calls().length;
  await new Promise((r) => setTimeout(r, 2000));
  expect(ollama.calls().length).toBe(callsWhilePaused);
  const live = JSON.parse((await runCli(['--path', root, 'status', '--json'], env())).output);
  expect(live).toMatchObject({ running: true, batch: { paused: true, maxConcurrent: 1 } });
  expect((await runCli(['--path', root, '-v', 'status'], env())).output).toContain('paused');

  expect((await runCli(['--path', root, 'concurrency', '3'], env())).output).toContain('at most 3 job(s) at once');
  ollama.resetStats();
  expect((await runCli(['--path', root, 'resume'], env())).code).toBe(0);
  await waitFor(() => ollama.calls().some((c) => jobOf(c) === 'victim'), 60_000, 'victim streaming');
  const cancelled = await runCli(['--path', root, 'cancel', 'victim'], env());
  expect(cancelled.output).toContain('Cancelled 1 job: victim');
  expect(await run.exited).toBe(1);
  expect(run.output()).toMatch(/Batch done: 6 passed, 0 failed, 1 skipped, 1 cancelled \(of 8\)/);
  expect(ollama.maxInFlight).toBe(3);
  expect(ollama.calls().find((c) => jobOf(c) === 'victim' && !isVerification(c))!.aborted).toBe(true);
  const st = statuses(root);
  for (const id of ids) expect(st[id].status).toBe('pass');
  expect(st.victim).toMatchObject({ status: 'created', error: 'cancelled by request' });
  expect(st.after.error).toContain('depends on victim, which was cancelled');
});
