// The five benchmarks, at full or smoke size. Each returns the rows of its report table.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { StatusEntry, formatStatusFile } from '../core/status';
import { BenchContext, ids, layeredGraph, makeBenchProject, median, pacedReplies, percentile, runBenchBatch, runCliMeasured } from './scenarios';

export interface Sizes {
  reps: number;
  fanoutJobs: number;
  fanoutConcurrency: number[];
  genMs: number;
  verifyMs: number;
  graph: { levels: number; width: number; chain: number; concurrency: number };
  overhead: { c1Jobs: number; c16Jobs: number; c64Jobs: number };
  scaleJobs: number;
  statusJobs: number;
  slots: { jobs: number; parallel: number[]; loadMs: number };
  readonlyJobs: number;
  /** Runs of each read-only command (odd, for a plain median). */
  readonlyReps: number;
}

export const FULL: Sizes = {
  reps: 3,
  fanoutJobs: 200,
  fanoutConcurrency: [1, 4, 16, 64],
  genMs: 1000,
  verifyMs: 500,
  graph: { levels: 10, width: 20, chain: 15, concurrency: 8 },
  overhead: { c1Jobs: 50, c16Jobs: 200, c64Jobs: 500 },
  scaleJobs: 5000,
  statusJobs: 1000,
  slots: { jobs: 24, parallel: [1, 2, 4], loadMs: 2000 },
  readonlyJobs: 50,
  readonlyReps: 11,
};

export const SMOKE: Sizes = {
  reps: 1,
  fanoutJobs: 6,
  fanoutConcurrency: [1, 4],
  genMs: 50,
  verifyMs: 25,
  graph: { levels: 2, width: 3, chain: 2, concurrency: 2 },
  overhead: { c1Jobs: 3, c16Jobs: 6, c64Jobs: 6 },
  scaleJobs: 10,
  statusJobs: 20,
  slots: { jobs: 4, parallel: [1, 2], loadMs: 100 },
  readonlyJobs: 5,
  readonlyReps: 1,
};

export type Row = Record<string, string | number>;
const r2 = (x: number) => Math.round(x * 100) / 100;
const s1 = (ms: number) => Math.round(ms / 100) / 10;

export async function fanOut(ctx: BenchContext, z: Sizes): Promise<Row[]> {
  ctx.ollama.respond = pacedReplies(z.genMs, z.verifyMs);
  const rows: Row[] = [];
  const medians = new Map<number, number>();
  for (const c of z.fanoutConcurrency) {
    const times: number[] = [];
    for (let i = 0; i < z.reps; i++) {
      const t = await runBenchBatch(ctx, makeBenchProject(ctx, ids('f', z.fanoutJobs).map((id) => ({ id })), c));
      if (t.result.totals.passed !== z.fanoutJobs) throw new Error(`fan-out C=${c}: ${JSON.stringify(t.result.totals)}`);
      times.push(t.makespanMs);
    }
    const m = median(times);
    medians.set(c, m);
    const ideal = Math.ceil(z.fanoutJobs / c) * (z.genMs + z.verifyMs);
    rows.push({ 'max_concurrent': c, 'makespan s (median)': s1(m), 'runs s': times.map(s1).join(' / '), 'ideal s': s1(ideal), efficiency: r2(ideal / m), 'peak in flight': ctx.ollama.maxInFlight });
  }
  const one = medians.get(1);
  const sixteen = medians.get(16) ?? medians.get(Math.max(...medians.keys()));
  if (one && sixteen) rows.push({ 'max_concurrent': 'speed-up', 'makespan s (median)': `${r2(one / sixteen)}× (C=${medians.has(16) ? 16 : Math.max(...medians.keys())} over C=1)` });
  return rows;
}

export async function dependencyGraph(ctx: BenchContext, z: Sizes): Promise<Row[]> {
  ctx.ollama.respond = pacedReplies(z.genMs, z.verifyMs);
  const { levels, width, chain, concurrency } = z.graph;
  const jobs = layeredGraph(levels, width, chain);
  const per = z.genMs + z.verifyMs;
  const critical = Math.max(levels, chain) * per;
  const bound = Math.max(critical, (jobs.length * per) / concurrency);
  const rows: Row[] = [];
  for (const barriers of [false, true]) {
    const times: number[] = [];
    for (let i = 0; i < z.reps; i++) {
      const t = await runBenchBatch(ctx, makeBenchProject(ctx, jobs, concurrency), barriers ? { groupBarriers: true } : {});
      if (t.result.totals.passed !== jobs.length) throw new Error(`graph: ${JSON.stringify(t.result.totals)}`);
      times.push(t.makespanMs);
    }
    const m = median(times);
    rows.push({ scheduling: barriers ? 'group barriers (WorkSplit)' : 'own dependencies (worksplit)', jobs: jobs.length, 'makespan s (median)': s1(m), 'runs s': times.map(s1).join(' / '), 'lower bound s': s1(bound), 'bound / makespan': r2(bound / m) });
  }
  return rows;
}

export async function overhead(ctx: BenchContext, z: Sizes): Promise<Row[]> {
  ctx.ollama.respond = pacedReplies(0, 0);
  const rows: Row[] = [];
  for (const [c, n] of [[1, z.overhead.c1Jobs], [16, z.overhead.c16Jobs]] as const) {
    const added: number[] = [];
    const medians: number[] = [];
    for (let i = 0; i < z.reps; i++) {
      const t = await runBenchBatch(ctx, makeBenchProject(ctx, ids('o', n).map((id) => ({ id })), c));
      // Per job: its time in the batch (start to end) minus the model's own time.
      const perJob = Object.values(t.result.jobs).map((j) => j.finishedAt! - j.startedAt! - (j.tokens?.modelMs ?? 0));
      added.push(...perJob);
      medians.push(median(perJob));
    }
    rows.push({ measure: `added time per job, C=${c} (${n} jobs, instant answers)`, median: `${Math.round(median(added))} ms`, p95: `${Math.round(percentile(added, 95))} ms`, runs: medians.map((m) => `${Math.round(m)} ms`).join(' / ') });
  }
  const rates: number[] = [];
  for (let i = 0; i < z.reps; i++) {
    const n = z.overhead.c64Jobs;
    const t = await runBenchBatch(ctx, makeBenchProject(ctx, ids('t', n).map((id) => ({ id })), 64));
    rates.push(n / (t.wallMs / 1000));
  }
  rows.push({ measure: `throughput, C=64 (${z.overhead.c64Jobs} jobs, instant answers)`, median: `${r2(median(rates))} jobs/s`, p95: '', runs: rates.map((x) => r2(x)).join(' / ') });
  return rows;
}

export async function scale(ctx: BenchContext, z: Sizes): Promise<Row[]> {
  ctx.ollama.respond = pacedReplies(0, 0);
  const root = makeBenchProject(ctx, ids('s', z.scaleJobs).map((id) => ({ id })), 64);
  const m = await runCliMeasured(ctx, ['--path', root, 'run', '-q'], { TEMPORAL_ADDRESS: ctx.address });
  if (m.code !== 0) throw new Error(`scale run exited ${m.code}`);
  return [{ jobs: z.scaleJobs, 'max_concurrent': 64, 'wall s': s1(m.wallMs), 'jobs/s': r2(z.scaleJobs / (m.wallMs / 1000)), 'peak RSS of worksplit run (MB)': m.peakRssMb }];
}

export async function startup(ctx: BenchContext, z: Sizes, stopEmbedded: (root: string) => Promise<void>, baselineCli?: string): Promise<Row[]> {
  ctx.ollama.respond = pacedReplies(0, 0);
  const rows: Row[] = [];
  // With a baseline build, each repetition runs both, one after the other, on the same load.
  const builds: Array<[string, string]> = [['', ctx.cli], ...(baselineCli ? [[' (baseline)', baselineCli] as [string, string]] : [])];
  const warm = builds.map(() => [] as number[]);
  const cold = builds.map(() => [] as number[]);
  for (let i = 0; i < z.reps; i++) {
    for (const [k, [, cli]] of builds.entries()) {
      const c0 = { ...ctx, cli };
      const root = makeBenchProject(ctx, [{ id: 'one' }], 1);
      // Cold: no server yet for this project; the run starts the embedded one.
      const c = await runCliMeasured(c0, ['--path', root, 'run', '-q'], { TEMPORAL_ADDRESS: '' });
      cold[k].push(c.firstCallMs ?? NaN);
      // Warm: the embedded server is running; a new job, a new run.
      writeFileSync(path.join(root, 'jobs', 'two.md'), '---\noutput_dir: out\noutput_file: two.txt\n---\n\nJOB two: write the file.\n');
      const w = await runCliMeasured(c0, ['--path', root, 'run', '-q'], { TEMPORAL_ADDRESS: '' });
      warm[k].push(w.firstCallMs ?? NaN);
      await stopEmbedded(root);
    }
  }
  for (const [k, [label]] of builds.entries()) {
    rows.push({ measure: `\`worksplit run\` to first model request, warm embedded server${label}`, median: `${Math.round(median(warm[k]))} ms`, runs: warm[k].map((x) => `${x} ms`).join(' / ') });
    rows.push({ measure: `\`worksplit run\` to first model request, cold (server start included)${label}`, median: `${Math.round(median(cold[k]))} ms`, runs: cold[k].map((x) => `${x} ms`).join(' / ') });
  }
  const statusRoot = makeBenchProject(ctx, ids('st', z.statusJobs).map((id) => ({ id })), 4);
  const now = new Date().toISOString();
  const entries: StatusEntry[] = ids('st', z.statusJobs).map((id, i) => ({ id, status: i % 3 === 0 ? 'fail' : 'pass', created_at: now, updated_at: now, ran: true, ...(i % 3 === 0 ? { error: 'verification failed' } : {}) }));
  writeFileSync(path.join(statusRoot, 'jobs', '_jobstatus.json'), formatStatusFile(entries));
  const st: number[] = [];
  for (let i = 0; i < z.reps; i++) st.push((await runCliMeasured(ctx, ['--path', statusRoot, 'status'], { TEMPORAL_ADDRESS: '' })).wallMs);
  rows.push({ measure: `\`worksplit status\` on a ${z.statusJobs}-job project`, median: `${Math.round(median(st))} ms`, runs: st.map((x) => `${x} ms`).join(' / ') });
  return rows;
}

/** A batch against an Ollama-like server with P slots, a FIFO queue and a model load
 * (OllamaLike in the test server), worksplit's [ollama] parallel set to P and max_concurrent 8:
 * the makespan against its bound, the load plus the model work spread over P slots. */
export async function ollamaSlots(ctx: BenchContext, z: Sizes): Promise<Row[]> {
  ctx.ollama.respond = pacedReplies(z.genMs, z.verifyMs);
  const rows: Row[] = [];
  for (const p of z.slots.parallel) {
    ctx.ollama.ollama = { numParallel: p, loadMs: z.slots.loadMs };
    const times: number[] = [];
    let aborted = 0;
    let waitAborted = 0;
    let peak = 0;
    for (let i = 0; i < z.reps; i++) {
      ctx.ollama.unloadModel();
      const t = await runBenchBatch(ctx, makeBenchProject(ctx, ids('q', z.slots.jobs).map((id) => ({ id })), 8), {}, p);
      if (t.result.totals.passed !== z.slots.jobs) throw new Error(`slots P=${p}: ${JSON.stringify(t.result.totals)}`);
      times.push(t.makespanMs);
      aborted += ctx.ollama.calls().filter((c) => c.aborted).length;
      waitAborted += ctx.ollama.calls().filter((c) => c.abortedWhileWaiting).length;
      peak = Math.max(peak, ctx.ollama.maxRunning);
    }
    const m = median(times);
    const bound = z.slots.loadMs + (z.slots.jobs * (z.genMs + z.verifyMs)) / p;
    rows.push({ 'server slots P': p, jobs: z.slots.jobs, 'makespan s (median)': s1(m), 'runs s': times.map(s1).join(' / '), 'bound s (load + work / P)': s1(bound), 'bound / makespan': r2(bound / m), 'calls aborted while waiting': waitAborted, 'calls aborted': aborted, 'slots busy at most': peak });
  }
  ctx.ollama.ollama = {};
  return rows;
}

/** Wall time of the read-only commands on a project of `readonlyJobs` jobs (goal: median
 * ≤ 150 ms each), with no Temporal server for the project (TEMPORAL_ADDRESS empty, none
 * embedded); validate and preview ask the test Ollama server for the model's facts. With
 * `baselineCli` (another checkout's bin/worksplit.js) each command runs alternately on both, so
 * the two medians see the same machine load. */
export async function readOnly(ctx: BenchContext, z: Sizes, baselineCli?: string): Promise<Row[]> {
  const jobIds = ids('r', z.readonlyJobs);
  // A chain every 5 jobs, so deps has groups to show.
  const root = makeBenchProject(ctx, jobIds.map((id, i) => ({ id, ...(i % 5 ? { deps: [jobIds[i - 1]] } : {}) })), 4);
  const commands = [['status'], ['validate'], ['deps'], ['preview', jobIds[0]]];
  const reps = z.readonlyReps;
  const clis = baselineCli ? [ctx.cli, baselineCli] : [ctx.cli];
  const rows: Row[] = [];
  for (const args of commands) {
    const times = clis.map(() => [] as number[]);
    for (let i = 0; i < reps; i++) {
      for (const [k, cli] of clis.entries()) {
        const m = await runCliMeasured({ ...ctx, cli }, ['--path', root, ...args], { TEMPORAL_ADDRESS: '' });
        if (m.code !== 0) throw new Error(`${cli} ${args.join(' ')} exited ${m.code}`);
        times[k].push(m.wallMs);
      }
    }
    const row: Row = { command: `\`worksplit ${args[0]}\`` , 'median ms': Math.round(median(times[0])), 'min ms': Math.min(...times[0]) };
    if (baselineCli) Object.assign(row, { 'baseline median ms': Math.round(median(times[1])), 'baseline min ms': Math.min(...times[1]), speed_up: `${r2(median(times[1]) / median(times[0]))}×` });
    rows.push(row);
  }
  const empty = [];
  for (let i = 0; i < reps; i++) empty.push(await nodeStartMs());
  rows.push({ command: '`node -e 0` (the floor on this machine)', 'median ms': Math.round(median(empty)), 'min ms': Math.min(...empty) });
  return rows;
}

async function nodeStartMs(): Promise<number> {
  const started = Date.now();
  await new Promise((resolve) => spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' }).on('exit', resolve));
  return Date.now() - started;
}
