// `node dist/bench/trace.js [jobs] [C]` (after `npm run build`): runs one batch of instant-answer
// jobs on a fresh dev server and prints where a job's time goes, event by event, from its Temporal
// history. TRACE_JOB=<index> picks the job, TRACE_BATCH=1 prints the batch's history too, and
// TRACE_DC="key=value ..." adds dynamic config to the server (how the 50 ms poll tick was found).
import { mkdirSync, mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { ensureServer, stopServer } from '../client/dev-server';
import { loadProject } from '../client/project';
import { batchWorkflowId, jobWorkflowId } from '../core/ids';
import { installQuietRuntime } from '../worker/workers';
import { packageRoot } from '../worker/bundle';
import { OllamaTestServer } from '../test/support/ollama-test-server';
import { ids, makeBenchProject, pacedReplies, runBenchBatch } from './scenarios';

const EventType = temporal.api.enums.v1.EventType;

function ms(t: unknown): number {
  const ts = t as { seconds?: { toNumber(): number } | number; nanos?: number };
  const s = typeof ts.seconds === 'number' ? ts.seconds : ts.seconds?.toNumber() ?? 0;
  return s * 1000 + (ts.nanos ?? 0) / 1e6;
}

async function printHistory(client: Client, workflowId: string) {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const events = history.events ?? [];
  const t0 = ms(events[0].eventTime);
  let prev = t0;
  // Each workflow task is one activation, and so is each local activity's end within it.
  const tasks = events.filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED).length;
  const locals = events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity').length;
  console.log(`\n${workflowId}: ${events.length} events, ${tasks} workflow tasks + ${locals} local activities = ${tasks + locals} activations`);
  for (const e of events) {
    const t = ms(e.eventTime);
    console.log(`${(t - t0).toFixed(1).padStart(8)} ms  +${(t - prev).toFixed(1).padStart(7)}  ${EventType[e.eventType!]}`);
    prev = t;
  }
}

async function main() {
  const n = Number(process.argv[2] ?? 5);
  const c = Number(process.argv[3] ?? 1);
  installQuietRuntime();
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'worksplit-trace-'));
  const serverRoot = path.join(tmp, 'server');
  mkdirSync(serverRoot);
  const server = await ensureServer(serverRoot, { dynamicConfig: process.env.TRACE_DC ? process.env.TRACE_DC.split(' ') : [] });
  const ollama = await new OllamaTestServer().start();
  const ctx = { address: server.address, ollama, tmp, cli: path.join(packageRoot(), 'bin', 'worksplit.js') };
  try {
    ollama.respond = pacedReplies(0, 0);
    const root = makeBenchProject(ctx, ids('o', n).map((id) => ({ id })), c);
    const t = await runBenchBatch(ctx, root);
    const jobs = Object.values(t.result.jobs);
    console.log(`wall ${t.wallMs} ms for ${n} jobs at C=${c}; per job added: ${jobs.map((j) => j.finishedAt! - j.startedAt! - (j.tokens?.modelMs ?? 0)).join(', ')}`);
    const connection = await Connection.connect({ address: ctx.address });
    const client = new Client({ connection });
    const project = await loadProject(root);
    const batchId = batchWorkflowId(project.ref.key);
    if (process.env.TRACE_BATCH) await printHistory(client, batchId);
    await printHistory(client, jobWorkflowId(project.ref.key, ids('o', n)[Number(process.env.TRACE_JOB ?? 1)]));
    await connection.close();
  } finally {
    await ollama.stop();
    await stopServer(serverRoot);
  }
}

main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
