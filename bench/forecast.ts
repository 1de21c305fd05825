// How right the forecast is (issue 26): the same batch run twice through the CLI (its embedded
// Temporal server); during the second run, the forecast at 25%, 50% and 75% done against the time
// the batch then actually took. Error = |forecast - actual| / actual.
//
//   npm run build && node dist/bench/forecast.js [--reps=3] [--latency=250] [--real-model]
//
// Stand-in: worksplit's Ollama-protocol test server, every call --latency ms (two calls a job).
// --real-model: SmolLM2-135M-Instruct on the real Ollama (scripts/real-ollama/build.sh,
// scripts/real-model/fetch.sh), whose answers vary in length and so in time.
// The batch: 4 chains of 4 jobs, max_concurrent 2, [ollama] parallel 2.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from '@temporalio/client';
import { clientDataConverter, connectClient, resolveTarget } from '../client/connection';
import { batchForecast, earlierJobs } from '../client/forecast';
import { loadProject } from '../client/project';
import { batchWorkflowId } from '../core/ids';
import { progressQuery } from '../workflows/messages';
import { OllamaTestServer } from '../test/support/ollama-test-server';
import { makeProject, simpleJob } from '../test/support/project';
import { passingReplies } from '../test/support/replies';
import { type RealOllama, startRealOllama } from '../test/support/real-ollama';
import { machine, median } from './scenarios';

const CLI = path.join(__dirname, '..', '..', 'bin', 'worksplit.js');
const arg = (name: string, d: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? d);
const REPS = arg('reps', 3);
const LATENCY = arg('latency', 250);
const REAL = process.argv.includes('--real-model');
const MARKS = [0.25, 0.5, 0.75];

function cli(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, TEMPORAL_ADDRESS: '', NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

/** One sitting: run the batch, reset, run it again while sampling the forecast. */
async function sitting(url: string, model: string | undefined): Promise<number[]> {
  const jobs: Record<string, ReturnType<typeof simpleJob>> = {};
  for (const chain of ['a', 'b', 'c', 'd']) {
    for (let i = 1; i <= 4; i++) jobs[`${chain}${i}`] = simpleJob(`${chain}${i}`, i > 1 ? { context_files: [`out/${chain}${i - 1}.txt`] } : {});
  }
  const root = makeProject({
    ollamaUrl: url,
    ...(model ? { model } : {}),
    toml: `[batch]\nmax_concurrent = 2\n${REAL ? '[limits]\nmax_output_lines = 12\n' : ''}`,
    ollamaToml: `parallel = 2\n${REAL ? 'first_byte_seconds = 600\ntimeout_seconds = 600\n' : ''}`,
    jobs,
  });
  try {
    const first = await cli(['--path', root, 'run']);
    if (!/Batch done/.test(first.out)) throw new Error(`first run: ${first.out}`);
    await cli(['--path', root, 'reset', 'all']);
    const project = await loadProject(root);
    const target = (await resolveTarget(project, { start: false }))!;
    const client = await connectClient(target, root);
    const reader = new Client({ connection: client.connection, dataConverter: await clientDataConverter(root) });
    const id = batchWorkflowId(project.ref.key);
    const history = await earlierJobs(reader, id, project.config.ollama.model);
    const second = cli(['--path', root, 'run']);
    const marks: Array<{ at: number; forecast: number }> = [];
    let done = false;
    void second.then(() => (done = true));
    while (!done && marks.length < MARKS.length) {
      const d = await reader.workflow.getHandle(id).describe().catch(() => undefined);
      if (d?.status.name === 'RUNNING') {
        const p = await reader.workflow.getHandle(id, d.runId).query(progressQuery).catch(() => undefined);
        if (p && !p.planning) {
          const finished = p.totals.passed + p.totals.failed + p.totals.skipped + p.totals.cancelled;
          const f = batchForecast(p, history, project.config.ollama.parallel);
          if (f && finished >= MARKS[marks.length] * p.totals.total) marks.push({ at: Date.now(), forecast: f.remaining_seconds });
        }
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    await second;
    const end = Date.now();
    await client.connection.close();
    await cli(['--path', root, 'server', 'stop']);
    return marks.map((m) => {
      const actual = (end - m.at) / 1000;
      return Math.abs(m.forecast - actual) / actual;
    });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  process.env.WORKSPLIT_TEST_TMP ??= mkdtempSync(path.join(os.tmpdir(), 'worksplit-bench-forecast-'));
  let ollama: OllamaTestServer | undefined;
  let real: RealOllama | undefined;
  const url = REAL ? (real = await startRealOllama({ weights: 'smollm2', numParallel: 2 })).url : (ollama = await new OllamaTestServer({ respond: passingReplies({ latencyMs: LATENCY }) }).start()).url;
  try {
    const errors: number[][] = [];
    for (let r = 0; r < REPS; r++) {
      const e = await sitting(url, real?.model);
      errors.push(e);
      console.error(`rep ${r + 1}: ${e.map((x) => `${(x * 100).toFixed(0)}%`).join(' ')}`);
    }
    console.log(`\n${machine()}; ${REAL ? 'SmolLM2-135M-Instruct on Ollama 0.17.4' : `stand-in, ${LATENCY} ms a call`}; ${REPS} sittings\n`);
    console.log('| done | forecast error (median) | worst |');
    console.log('|---|---|---|');
    MARKS.forEach((m, i) => {
      const xs = errors.map((e) => e[i]).filter((x) => x !== undefined);
      console.log(`| ${m * 100}% | ${xs.length ? `${(median(xs) * 100).toFixed(0)}%` : 'n/a'} | ${xs.length ? `${(Math.max(...xs) * 100).toFixed(0)}%` : 'n/a'} |`);
    });
  } finally {
    await ollama?.stop();
    await real?.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
