// `node dist/bench/hops.js [jobs] [C]` (after `npm run build`): where a job's time goes, hop by
// hop. It runs one batch of jobs on a fresh dev server, in a child process whose
// SDK core logs every workflow task, activation and local activity at debug level, then splits
// each job's time between the worker (its workflow code, its local activities), the server
// (completing a workflow task, handing out the next one, starting the child) and the activities
// on the LLM queue; it also counts what each process spent in CPU and what the server asked of
// its database, per job. `--floor` runs bench/floor-workflows.ts instead: the same Temporal shape
// (child workflow, three local activities, two calls on the LLM queue) doing nothing.
// `--model-ms=N` makes each of a job's two model calls take N ms (both modes) and reports the
// fan-out efficiency: the model work spread over C, over the first job's start to the last one's end.
// BENCHMARKS.md ("Where a job's time goes, hop by hop") holds a run.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { DefaultLogger, NativeConnection, Runtime, Worker, bundleWorkflowCode, makeTelemetryFilterString } from '@temporalio/worker';
import { ensureServer, stopServer } from '../client/dev-server';
import { loadProject } from '../client/project';
import { batchWorkflowId, jobWorkflowId } from '../core/ids';
import { packageRoot } from '../worker/bundle';
import { tuneV8ForWorkers } from '../worker/workers';
import { OllamaTestServer } from '../test/support/ollama-test-server';
import type { floorBatch } from './floor-workflows';
import { type CoreLine, type HistoryMark, PARTS, parseCoreLog, splitJob } from './hop-split';
import { ids, makeBenchProject, pacedReplies, runBenchBatch } from './scenarios';

const EventType = temporal.api.enums.v1.EventType;

interface CpuSample {
  t: number;
  worker: number;
  server: number;
}

/** What the measuring child writes for the parent. */
interface RunRecord {
  jobs: number;
  concurrency: number;
  /** The no-work jobs of bench/floor-workflows.ts instead of worksplit's. */
  floor: boolean;
  /** Each of a job's two model calls takes this long (0: instant answers). */
  modelMs: number;
  /** Job ids in start order, with their run ids and history events. */
  runs: Array<{ id: string; runId: string; events: HistoryMark[] }>;
  /** CPU used so far (ms) every 50 ms through the batch: this process (workers, client, stand-in
   * model) and the server; the report takes the warm jobs' window from them. */
  cpu: CpuSample[];
  /** Persistence requests the server made during the batch, by operation. */
  persistence: Record<string, number>;
  wallMs: number;
}

function ms(t: unknown): number {
  const ts = t as { seconds?: { toNumber(): number } | number; nanos?: number };
  const s = typeof ts.seconds === 'number' ? ts.seconds : ts.seconds?.toNumber() ?? 0;
  return s * 1000 + (ts.nanos ?? 0) / 1e6;
}

async function historyOf(client: Client, workflowId: string): Promise<{ runId: string; events: HistoryMark[] }> {
  const handle = client.workflow.getHandle(workflowId);
  const history = await handle.fetchHistory();
  const runId = (await handle.describe()).runId;
  return { runId, events: (history.events ?? []).map((e) => ({ type: EventType[e.eventType!].replace('EVENT_TYPE_', ''), t: ms(e.eventTime) })) };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function persistenceRequests(port: number): Promise<Record<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const counts: Record<string, number> = {};
  for (const m of text.matchAll(/^persistence_requests\{[^}]*operation="([^"]+)"[^}]*\} ([0-9.e+]+)$/gm)) counts[m[1]] = (counts[m[1]] ?? 0) + Number(m[2]);
  return counts;
}

/** The counters once the server has published all it counted: its metrics reporter flushes about
 * once a second, so a read right after a batch misses the last second (read until two agree). */
async function settledPersistenceRequests(port: number): Promise<Record<string, number>> {
  const total = (c: Record<string, number>) => Object.values(c).reduce((a, b) => a + b, 0);
  let last = await persistenceRequests(port);
  for (let i = 0; i < 10; i++) {
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const now = await persistenceRequests(port);
    if (total(now) === total(last)) return now;
    last = now;
  }
  return last;
}

function serverCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in clock ticks of 10 ms
}

/** The floor: `bench/floor-workflows.ts` on workers made like worksplit's (same V8 flags); the
 * job workflows are `<batch>/job/<i>`. Returns the batch's wall time and the jobs' workflow ids. */
async function runFloorBatch(address: string, n: number, c: number, code: string, modelMs: number): Promise<{ wallMs: number; batchId: string; jobIds: string[] }> {
  tuneV8ForWorkers();
  const queue = `floor-${process.pid}`;
  const llmQueue = `${queue}-llm`;
  const native = await NativeConnection.connect({ address });
  const noop = { noop: async () => undefined };
  const model = { noop: () => new Promise<void>((resolve) => setTimeout(resolve, modelMs)) };
  const workers = await Promise.all([
    Worker.create({ connection: native, taskQueue: queue, workflowBundle: { code }, activities: noop }),
    Worker.create({ connection: native, taskQueue: llmQueue, activities: model, maxConcurrentActivityTaskExecutions: 500 }),
  ]);
  const running = Promise.all(workers.map((w) => w.run()));
  const connection = await Connection.connect({ address });
  try {
    const client = new Client({ connection });
    const batchId = `floor-${process.pid}`;
    const started = Date.now();
    await client.workflow.execute<typeof floorBatch>('floorBatch', { workflowId: batchId, taskQueue: queue, args: [n, llmQueue, c] });
    return { wallMs: Date.now() - started, batchId, jobIds: Array.from({ length: n }, (_, i) => `${batchId}/job/${i}`) };
  } finally {
    workers.forEach((w) => w.shutdown());
    await running;
    await native.close();
    await connection.close();
  }
}

/** The measuring child: core's debug log goes to stdout (the parent sends it to a file). */
async function measure(n: number, c: number, out: string, floor: boolean, modelMs: number): Promise<void> {
  Runtime.install({
    logger: new DefaultLogger('ERROR'),
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'DEBUG', other: 'WARN' }), console: { format: 'json' } } },
  });
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'worksplit-hops-'));
  const serverRoot = path.join(tmp, 'server');
  mkdirSync(serverRoot);
  const metricsPort = await freePort();
  const server = await ensureServer(serverRoot, { metricsPort });
  const ollama = await new OllamaTestServer().start();
  const ctx = { address: server.address, ollama, tmp, cli: path.join(packageRoot(), 'bin', 'worksplit.js') };
  try {
    ollama.respond = pacedReplies(modelMs, modelMs);
    const jobIds = ids('h', n);
    const root = makeBenchProject(ctx, jobIds.map((id) => ({ id })), c);
    const code = floor ? (await bundleWorkflowCode({ workflowsPath: require.resolve('./floor-workflows'), logger: new DefaultLogger('ERROR') })).code : '';
    const before = await settledPersistenceRequests(metricsPort);
    const cpu: CpuSample[] = [];
    const sample = () => {
      const u = process.cpuUsage();
      cpu.push({ t: Date.now(), worker: (u.user + u.system) / 1000, server: serverCpuMs(server.pid) });
    };
    sample();
    const sampler = setInterval(sample, 50);
    let wallMs: number;
    let workflowIds: { batch: string; jobs: string[] };
    if (floor) {
      const f = await runFloorBatch(ctx.address, n, c, code, modelMs);
      wallMs = f.wallMs;
      workflowIds = { batch: f.batchId, jobs: f.jobIds };
    } else {
      wallMs = (await runBenchBatch(ctx, root)).wallMs;
      const project = await loadProject(root);
      workflowIds = { batch: batchWorkflowId(project.ref.key), jobs: jobIds.map((id) => jobWorkflowId(project.ref.key, id)) };
    }
    sample();
    clearInterval(sampler);
    const db = await settledPersistenceRequests(metricsPort);
    const connection = await Connection.connect({ address: ctx.address });
    const client = new Client({ connection });
    const runs = [];
    for (const id of workflowIds.jobs) runs.push({ id, ...(await historyOf(client, id)) });
    runs.sort((a, b) => a.events[0].t - b.events[0].t);
    await connection.close();
    const persistence = Object.fromEntries(Object.entries(db).map(([k, v]) => [k, v - (before[k] ?? 0)]).filter(([, v]) => (v as number) > 0));
    const record: RunRecord = { jobs: n, concurrency: c, floor, modelMs, runs, cpu, persistence, wallMs };
    writeFileSync(out, JSON.stringify(record));
  } finally {
    await ollama.stop();
    await stopServer(serverRoot);
  }
}

/** CPU used by time t (linear between the samples around it). */
function cpuAt(samples: CpuSample[], t: number, k: 'worker' | 'server'): number {
  const i = samples.findIndex((s) => s.t >= t);
  if (i <= 0) return samples[i < 0 ? samples.length - 1 : 0][k];
  const [a, b] = [samples[i - 1], samples[i]];
  return a[k] + ((b[k] - a[k]) * (t - a.t)) / Math.max(1, b.t - a.t);
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function report(record: RunRecord, log: CoreLine[]): string {
  const byRun = new Map<string, CoreLine[]>();
  for (const l of log) {
    if (!l.runId) continue;
    const lines = byRun.get(l.runId);
    if (lines) lines.push(l);
    else byRun.set(l.runId, [l]);
  }
  // The first jobs run on a cold worker (JIT, first module loads): leave them out.
  const skip = Math.min(5, Math.floor(record.runs.length / 4));
  const warm = record.runs.slice(skip);
  const splits = warm.map((r) => splitJob(r.events, byRun.get(r.runId) ?? []));
  const totals = splits.map((s) => Object.values(s).reduce((a, b) => a + b, 0));
  // The batch's part: from one job's last completion to the next job's start (C=1 only).
  const between: number[] = [];
  for (let i = skip + 1; i < record.runs.length; i++) {
    const prev = byRun.get(record.runs[i - 1].runId) ?? [];
    const lastDone = [...prev].reverse().find((l) => l.message === 'Marking WFT completed');
    if (lastDone) between.push(record.runs[i].events[0].t - lastDone.t);
  }
  // Means, so the parts add up to the job's time; the median job time is given beside it.
  const rows = PARTS.map(([k, label]) => `| ${label} | ${mean(splits.map((s) => s[k])).toFixed(1)} |`);
  const n = record.jobs;
  const makespan = Math.max(...record.runs.map((r) => r.events.at(-1)!.t)) - record.runs[0].events[0].t;
  const ideal = (n * 2 * record.modelMs) / record.concurrency;
  // CPU over the warm jobs: from the first warm job's start to the last job's end.
  const from = warm[0].events[0].t;
  const to = record.runs[record.runs.length - 1].events.at(-1)!.t;
  const used = (k: 'worker' | 'server') => cpuAt(record.cpu, to, k) - cpuAt(record.cpu, from, k);
  const perJob = (k: 'worker' | 'server') => (used(k) / warm.length).toFixed(1);
  const db = Object.entries(record.persistence).filter(([, v]) => v / n >= 0.5).sort((a, b) => b[1] - a[1]).map(([op, v]) => `${op} ${(v / n).toFixed(1)}`).join(', ');
  return [
    `${record.floor ? 'floor: the same Temporal shape with no work' : 'worksplit jobs'}, ${n} jobs at C=${record.concurrency}, ${record.modelMs ? `model calls of ${record.modelMs} ms` : 'instant answers'}; ${warm.length} warm jobs split (ms per job, means; median job ${median(totals).toFixed(1)} ms):`,
    '',
    '| part | ms |',
    '|---|---|',
    ...rows,
    `| **job, start to last workflow task** | **${mean(totals).toFixed(1)}** |`,
    ...(record.concurrency === 1 ? [`| batch: child's end to the next child's start | ${mean(between).toFixed(1)} |`] : []),
    '',
    ...(record.modelMs ? [`fan-out efficiency ${(ideal / makespan).toFixed(2)}: the model work spread over C, ${(ideal / 1000).toFixed(1)} s, over the first job's start to the last job's end, ${(makespan / 1000).toFixed(1)} s`] : []),
    `wall ${record.wallMs} ms (${(record.wallMs / n).toFixed(1)} ms per job); CPU per warm job: worker process ${perJob('worker')} ms (workflow and activity threads, SDK core, the stand-in model), Temporal server ${perJob('server')} ms`,
    `server persistence requests per job: ${db}`,
  ].join('\n');
}

async function main() {
  const args = process.argv.slice(2);
  if (args[0] === '--child') return measure(Number(args[1]), Number(args[2]), args[3], args[4] === 'floor', Number(args[5]));
  const floor = args.includes('--floor');
  const modelMs = Number(args.find((a) => a.startsWith('--model-ms='))?.slice(11) ?? 0);
  const [n, c] = [Number(args.filter((a) => !a.startsWith('--'))[0] ?? 40), Number(args.filter((a) => !a.startsWith('--'))[1] ?? 1)];
  if (!(n >= 4) || !(c >= 1) || !(modelMs >= 0)) throw new Error('usage: node dist/bench/hops.js [jobs ≥ 4] [C ≥ 1] [--floor] [--model-ms=N]');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'worksplit-hops-out-'));
  const logFile = path.join(dir, 'core.log');
  const out = path.join(dir, 'record.json');
  const log = createWriteStream(logFile);
  const child = spawn(process.execPath, [__filename, '--child', String(n), String(c), out, floor ? 'floor' : 'jobs', String(modelMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
  child.stdout.pipe(log);
  // 'close': the child has exited and its stdout is drained into the log stream.
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  await new Promise<void>((resolve) => (log.writableFinished ? resolve() : log.on('finish', () => resolve())));
  if (code !== 0) throw new Error(`the measuring run failed (exit ${code}); its core log: ${logFile}`);
  console.log(report(JSON.parse(readFileSync(out, 'utf8')) as RunRecord, parseCoreLog(readFileSync(logFile, 'utf8'))));
  console.log(`\n(core log: ${logFile})`);
}

if (require.main === module) main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
