// Benchmark scenarios (issue: keep the LLM saturated, keep Temporal's overhead small). Each runs
// real batches on a Temporal CLI dev server against the Ollama-protocol test server with scripted
// latencies, and returns plain numbers; bench/run.ts repeats them and writes the report.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client, Connection, WorkflowIdConflictPolicy } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { batchWorkflowId } from '../core/ids';
import { loadProject, runSettings } from '../client/project';
import { createWorkers, runWorkers } from '../worker/workers';
import type { BatchInput, BatchResult } from '../workflows/types';
import { BATCH_WORKFLOW_TYPE, type BatchWorkflow } from '../workflows/messages';
import { OllamaTestServer } from '../test/support/ollama-test-server';
import { jobText } from '../test/support/project';
import { block, isVerification, jobOf } from '../test/support/replies';

export interface BenchContext {
  address: string;
  ollama: OllamaTestServer;
  tmp: string;
  cli: string;
}

export interface JobDef {
  id: string;
  deps?: string[];
}

let counter = 0;

/** A project folder with the given jobs (each writes out/<id>.txt). */
export function makeBenchProject(ctx: BenchContext, jobs: JobDef[], maxConcurrent: number): string {
  const root = mkdtempSync(path.join(ctx.tmp, 'p-'));
  mkdirSync(path.join(root, 'jobs'));
  writeFileSync(path.join(root, 'jobs', '_systemprompt_create.md'), 'create\n');
  writeFileSync(path.join(root, 'jobs', '_systemprompt_verify.md'), 'verify\n');
  writeFileSync(
    path.join(root, 'worksplit.toml'),
    // The stand-in model has no slot limit: as many model calls at once as jobs, so the figures
    // measure orchestration, not [ollama] parallel's default of 1.
    `[ollama]\nurl = "${ctx.ollama.url}"\nparallel = ${Math.min(64, Math.max(1, maxConcurrent || 64))}\n[batch]\nmax_concurrent = ${maxConcurrent}\n[temporal]\ntask_queue = "bench-${process.pid}-${++counter}"\n`,
  );
  for (const j of jobs) writeFileSync(path.join(root, 'jobs', `${j.id}.md`), jobText({ fm: { output_dir: 'out', output_file: `${j.id}.txt`, ...(j.deps?.length ? { depends_on: j.deps } : {}) } }, j.id));
  return root;
}

/** Generation and verification latencies (ms), streamed in a few chunks like a model would. */
export function pacedReplies(genMs: number, verifyMs: number) {
  return (req: import('../test/support/ollama-test-server').RecordedRequest) => {
    const id = jobOf(req);
    if (isVerification(req)) return { content: 'PASS', latencyMs: verifyMs };
    return { content: block(`out/${id}.txt`, `generated for ${id}`), latencyMs: genMs };
  };
}

export interface BatchTiming {
  /** First model request to batch result, ms. */
  makespanMs: number;
  result: BatchResult;
  /** Batch start (client) to result, ms. */
  wallMs: number;
}

/** Run one batch in this process (workers + client), like `worksplit run` does. */
export async function runBenchBatch(ctx: BenchContext, root: string, extra: Partial<BatchInput> = {}, llmCapacity = 500): Promise<BatchTiming> {
  const project = await loadProject(root);
  const native = await NativeConnection.connect({ address: ctx.address });
  const connection = await Connection.connect({ address: ctx.address });
  const client = new Client({ connection });
  const workers = await createWorkers({ connection: native, namespace: 'default', queues: project.queues, root: project.ref.root, files: true, llm: true, llmCapacity, ollamaUrl: project.config.ollama.url, codec: 'plain' });
  const running = runWorkers(workers);
  ctx.ollama.resetStats();
  try {
    const started = Date.now();
    const input: BatchInput = { project: project.ref, queues: project.queues, settings: runSettings(project.config), selection: { resume: false, rerun: false }, searchAttributes: true, ...extra };
    const handle = await client.workflow.start<BatchWorkflow>(BATCH_WORKFLOW_TYPE, { workflowId: batchWorkflowId(project.ref.key), taskQueue: project.queues.project, args: [input], workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING });
    const result = await handle.result();
    const ended = Date.now();
    const first = Math.min(...ctx.ollama.calls().map((c) => c.startedAt));
    return { makespanMs: ended - first, wallMs: ended - started, result };
  } finally {
    running.stop();
    await running.done;
    await native.close();
    await connection.close();
  }
}

export function ids(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(String(n).length, '0')}`);
}

/** A layered graph: `levels` x `width`, each job depending on 2 of the previous level, plus a
 * chain of `chain` jobs beside it. */
export function layeredGraph(levels: number, width: number, chain: number): JobDef[] {
  const jobs: JobDef[] = [];
  for (let l = 0; l < levels; l++) {
    for (let i = 0; i < width; i++) {
      const deps = l === 0 ? [] : [`l${l - 1}_${i}`, `l${l - 1}_${(i + 1) % width}`];
      jobs.push({ id: `l${l}_${i}`, deps });
    }
  }
  for (let c = 0; c < chain; c++) jobs.push({ id: `chain${String(c).padStart(2, '0')}`, deps: c === 0 ? [] : [`chain${String(c - 1).padStart(2, '0')}`] });
  return jobs;
}

/** Run the built CLI and sample its resident memory; returns wall time and peak RSS (MB). */
export async function runCliMeasured(ctx: BenchContext, args: string[], env: NodeJS.ProcessEnv): Promise<{ wallMs: number; peakRssMb: number; code: number | null; firstCallMs?: number }> {
  const started = Date.now();
  ctx.ollama.resetStats();
  const child = spawn(process.execPath, [ctx.cli, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let peak = 0;
  let firstCallMs: number | undefined;
  const sampler = setInterval(() => {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) peak = Math.max(peak, Number(m[1]) / 1024);
    } catch {
      // exited
    }
    if (firstCallMs === undefined && ctx.ollama.calls().length > 0) firstCallMs = ctx.ollama.calls()[0].startedAt - started;
  }, 20);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearInterval(sampler);
  if (firstCallMs === undefined && ctx.ollama.calls().length > 0) firstCallMs = ctx.ollama.calls()[0].startedAt - started;
  return { wallMs: Date.now() - started, peakRssMb: Math.round(peak), code, firstCallMs };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

export function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}, Node ${process.version}`;
}
