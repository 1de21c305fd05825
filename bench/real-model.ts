// A real model's figures (issue 22): SmolLM2-135M-Instruct (scripts/real-model/fetch.sh) on the
// real Ollama 0.17.4 (scripts/real-ollama/build.sh), everything on loopback.
//
//   npm run build && node dist/bench/real-model.js [--tasks=4] [--seeds=1] [--jobs=2] [--reps=3] [--thread-reps=2] [--predict=48]
//
// WORKSPLIT_OLLAMA_CACHE=DIR runs another build of Ollama (scripts/real-ollama/build.sh into DIR).
//
// 1. tokens/s with num_thread 1 and 2 (Ollama's own eval_count / eval_duration);
// 2. generation: the share of answers to worksplit's generation prompts (core/prompts.ts) that
//    parse into exactly the declared file (core/output-parse.ts, the newer rules);
// 3. verification: the same verify prompts sent straight to Ollama twice, plain and with
//    `format` set to a JSON schema {verdict: "PASS"|"FAIL", reason}; the share read as PASS or
//    FAIL by core/verdict.ts's parseVerdict (text) and by JSON.parse (structured);
// 4. makespan of a worksplit batch of N independent jobs (one generation call each, verify off)
//    against the same calls (recorded by a proxy) sent straight to Ollama with at most P at once,
//    at OLLAMA_NUM_PARALLEL = P = 1 and 2: the server's own capacity bound. Ratio = direct /
//    worksplit (goal ≥ 0.95). Medians of --reps runs, worksplit and direct alternately.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client, Connection, WorkflowIdConflictPolicy } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { batchWorkflowId } from '../core/ids';
import { ALWAYS_NEWER } from '../core/newer-rules';
import { confineToDeclared, parseGeneratedFiles } from '../core/output-parse';
import { ChatPrompt, buildPrompt } from '../core/prompts';
import { parseVerdict } from '../core/verdict';
import { ensureServer, stopServer } from '../client/dev-server';
import { loadProject, runSettings } from '../client/project';
import { createWorkers, installQuietRuntime, runWorkers } from '../worker/workers';
import type { BatchInput, BatchResult } from '../workflows/types';
import { BATCH_WORKFLOW_TYPE, type BatchWorkflow } from '../workflows/messages';
import { jobText } from '../test/support/project';
import { RealOllama, startRealOllama, startRecordingProxy } from '../test/support/real-ollama';
import { machine, median } from './scenarios';

const CREATE_PROMPT = 'You write small, correct TypeScript modules for Node.js. Export what the instructions name.';
const VERIFY_PROMPT = 'You check a TypeScript file against its instructions.';

/** Small generation tasks, this file's own: [file, instructions]. */
const TASKS: Array<[string, string]> = [
  ['add.ts', 'Export `add(a: number, b: number): number` returning a + b.'],
  ['greet.ts', 'Export `greet(name: string): string` returning "Hello, " + name + "!".'],
  ['is-even.ts', 'Export `isEven(n: number): boolean`, true when n is divisible by 2.'],
  ['reverse.ts', 'Export `reverse(s: string): string` returning s with its characters in reverse order.'],
  ['max.ts', 'Export `max(xs: number[]): number` returning the largest number in xs (xs is never empty).'],
  ['clamp.ts', 'Export `clamp(x: number, lo: number, hi: number): number`: lo when x < lo, hi when x > hi, else x.'],
  ['sum.ts', 'Export `sum(xs: number[]): number` returning the sum of xs (0 for an empty array).'],
  ['capitalize.ts', 'Export `capitalize(s: string): string`: s with its first character in upper case.'],
  ['square.ts', 'Export `square(x: number): number` returning x times x.'],
  ['last.ts', 'Export `last<T>(xs: T[]): T | undefined` returning the last element of xs.'],
];

const VERDICT_SCHEMA = {
  type: 'object',
  properties: { verdict: { type: 'string', enum: ['PASS', 'FAIL'] }, reason: { type: 'string' } },
  required: ['verdict', 'reason'],
};

interface Answer {
  text: string;
  doneReason?: string;
  promptEvalCount: number;
  evalCount: number;
  promptEvalNs: number;
  evalNs: number;
  loadNs: number;
  startedAt: number;
  endedAt: number;
}

/** One /api/chat request straight to Ollama, streamed or not as the body says, read to its end. */
async function chat(url: string, body: Record<string, unknown>): Promise<Answer> {
  const startedAt = Date.now();
  const res = await fetch(`${url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`Ollama answered HTTP ${res.status}: ${await res.text()}`);
  const raw = await res.text();
  let text = '';
  let last: Record<string, unknown> = {};
  for (const line of raw.split('\n')) {
    if (!line.trim()) continue;
    const chunk = JSON.parse(line) as { message?: { content?: string } };
    text += chunk.message?.content ?? '';
    last = chunk as Record<string, unknown>;
  }
  const n = (k: string) => (typeof last[k] === 'number' ? (last[k] as number) : 0);
  return { text, doneReason: last.done_reason as string | undefined, promptEvalCount: n('prompt_eval_count'), evalCount: n('eval_count'), promptEvalNs: n('prompt_eval_duration'), evalNs: n('eval_duration'), loadNs: n('load_duration'), startedAt, endedAt: Date.now() };
}

/** Unload the model (which empties its prompt cache) and load it again with these options,
 * through a prompt unrelated to what follows: the next calls start on a loaded model with a cold
 * cache, so neither side of a comparison reads its prompts from the other's cache. */
async function freshLoad(ollama: RealOllama, options: Record<string, unknown>): Promise<void> {
  await fetch(`${ollama.url}/api/generate`, { method: 'POST', body: JSON.stringify({ model: ollama.model, keep_alive: 0 }) }).then((r) => r.text());
  for (let i = 0; i < 200; i++) {
    const ps = (await (await fetch(`${ollama.url}/api/ps`)).json()) as { models?: unknown[] };
    if (!ps.models?.length) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await chat(ollama.url, request(ollama.model, { system: 'Say OK.', user: 'OK?' }, { ...options, num_predict: 1 }));
}

function request(model: string, prompt: ChatPrompt, options: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { model, stream: false, messages: [{ role: 'system', content: prompt.system }, { role: 'user', content: prompt.user }], options, ...extra };
}

const r2 = (x: number) => Math.round(x * 100) / 100;
const pct = (a: number, b: number) => `${a}/${b} (${b === 0 ? 0 : Math.round((100 * a) / b)} %)`;
const tps = (tokens: number, ns: number) => (ns > 0 ? tokens / (ns / 1e9) : 0);

type Row = Record<string, string | number>;
function table(rows: Row[]): string {
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return [`| ${cols.join(' | ')} |`, `|${cols.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${cols.map((c) => r[c] ?? '').join(' | ')} |`)].join('\n');
}

async function threads(ollama: RealOllama, predict: number, reps: number): Promise<Row[]> {
  const prompt = buildPrompt({ kind: 'generate', outputPaths: ['src/todo.ts'] }, { projectPrompt: CREATE_PROMPT, context: [], targets: [], instructions: 'Export `parseTodo(line: string)` that reads "[x] title !high" into { done, title, priority }. Explain each step.' });
  const byThreads = new Map<number, Answer[]>();
  for (let i = 0; i < reps; i++) {
    for (const t of i % 2 === 0 ? [1, 2] : [2, 1]) {
      const options = { num_thread: t, temperature: 0, seed: 1, num_ctx: 2048, num_predict: predict };
      await freshLoad(ollama, options);
      const a = await chat(ollama.url, request(ollama.model, prompt, options));
      byThreads.set(t, [...(byThreads.get(t) ?? []), a]);
    }
  }
  return [...byThreads].map(([t, as]) => ({
    num_thread: t,
    'generation tok/s (median)': r2(median(as.map((a) => tps(a.evalCount, a.evalNs)))),
    'runs': as.map((a) => r2(tps(a.evalCount, a.evalNs))).join(' / '),
    'prompt tok/s, uncached (median)': Math.round(median(as.map((a) => tps(a.promptEvalCount, a.promptEvalNs)))),
    'answer tokens': as[0].evalCount,
  }));
}

async function quality(ollama: RealOllama, z: { tasks: number; seeds: number; predict: number }): Promise<{ rows: Row[]; answers: Answer[] }> {
  const answers: Answer[] = [];
  let parsed = 0;
  let cut = 0;
  let plainRead = 0;
  let plainCut = 0;
  let jsonRead = 0;
  let jsonCut = 0;
  let total = 0;
  const plainKinds = new Map<string, number>();
  const jsonKinds = new Map<string, number>();
  const agree = { both: 0, same: 0 };
  for (const [file, instructions] of TASKS.slice(0, z.tasks)) {
    const out = `src/${file}`;
    for (let seed = 1; seed <= z.seeds; seed++) {
      const options = { seed, num_ctx: 2048, num_predict: z.predict };
      const gen = await chat(ollama.url, request(ollama.model, buildPrompt({ kind: 'generate', outputPaths: [out] }, { projectPrompt: CREATE_PROMPT, context: [], targets: [], instructions }), options));
      answers.push(gen);
      total++;
      if (gen.doneReason === 'length') cut++;
      const files = gen.doneReason === 'stop' ? parseGeneratedFiles(gen.text, out, ALWAYS_NEWER) : { ok: false as const, error: 'cut' };
      const declared = files.ok ? confineToDeclared(files.files, [out], ALWAYS_NEWER) : files;
      const ok = declared.ok && declared.files.some((f) => f.path === out);
      if (ok) parsed++;
      // The reviewer sees what worksplit would have written, or the raw answer when nothing parsed.
      const generated = declared.ok && declared.files.length > 0 ? declared.files : [{ path: out, content: gen.text }];
      const verify = buildPrompt({ kind: 'verify', generated, edit: false }, { projectPrompt: VERIFY_PROMPT, context: [], targets: [], instructions });
      const plain = await chat(ollama.url, request(ollama.model, verify, options));
      const structured = await chat(ollama.url, request(ollama.model, verify, options, { format: VERDICT_SCHEMA }));
      answers.push(plain, structured);
      if (plain.doneReason === 'length') plainCut++;
      if (structured.doneReason === 'length') jsonCut++;
      const v = parseVerdict(plain.text, ALWAYS_NEWER);
      const textKind = v.reason === 'unclear verification response' && v.kind === 'FAIL_HARD' ? undefined : v.passed ? 'PASS' : 'FAIL';
      if (textKind) plainRead++;
      plainKinds.set(textKind ?? 'unclear', (plainKinds.get(textKind ?? 'unclear') ?? 0) + 1);
      let jsonKind: string | undefined;
      try {
        const j = JSON.parse(structured.text) as { verdict?: unknown; reason?: unknown };
        if ((j.verdict === 'PASS' || j.verdict === 'FAIL') && typeof j.reason === 'string') jsonKind = j.verdict;
      } catch {
        // not JSON (cut short, or not honoured)
      }
      if (jsonKind) jsonRead++;
      jsonKinds.set(jsonKind ?? 'unreadable', (jsonKinds.get(jsonKind ?? 'unreadable') ?? 0) + 1);
      if (textKind && jsonKind) {
        agree.both++;
        if (textKind === jsonKind) agree.same++;
      }
    }
  }
  const kinds = (m: Map<string, number>) => [...m].sort().map(([k, n]) => `${k} ${n}`).join(', ');
  return {
    answers,
    rows: [
      { figure: 'generation answers parsed into the declared file', value: pct(parsed, total), detail: `${cut} cut at num_predict ${z.predict} (done_reason "length")` },
      { figure: 'verdicts read as PASS or FAIL, text rule (parseVerdict)', value: pct(plainRead, total), detail: `${kinds(plainKinds)}; ${plainCut} cut` },
      { figure: 'verdicts read as PASS or FAIL, structured output (format: JSON schema)', value: pct(jsonRead, total), detail: `${kinds(jsonKinds)}; ${jsonCut} cut` },
      { figure: 'both read: the same verdict', value: pct(agree.same, agree.both), detail: '' },
    ],
  };
}

async function makespans(address: string, tmp: string, z: { jobs: number; reps: number; predict: number }): Promise<{ rows: Row[]; answers: Answer[] }> {
  const rows: Row[] = [];
  const answers: Answer[] = [];
  for (const p of [1, 2]) {
    const ollama = await startRealOllama({ weights: 'smollm2', numParallel: p });
    const proxy = await startRecordingProxy(ollama.url);
    try {
      const options = { temperature: 0, seed: 1, num_ctx: 2048, num_predict: z.predict };
      const ws: number[] = [];
      const direct: number[] = [];
      const passed: number[] = [];
      for (let rep = 0; rep < z.reps; rep++) {
        // worksplit: a fresh project each run, its calls recorded by the proxy.
        const root = mkdtempSync(path.join(tmp, `p${p}-`));
        mkdirSync(path.join(root, 'jobs'));
        writeFileSync(path.join(root, 'jobs', '_systemprompt_create.md'), `${CREATE_PROMPT}\n`);
        writeFileSync(path.join(root, 'jobs', '_systemprompt_verify.md'), `${VERIFY_PROMPT}\n`);
        const optionsToml = Object.entries(options).map(([k, v]) => `${k} = ${v}`).join(', ');
        writeFileSync(
          path.join(root, 'worksplit.toml'),
          `[ollama]\nurl = "${proxy.url}"\nmodel = "${ollama.model}"\nparallel = ${p}\noptions = { ${optionsToml} }\n[limits]\nmax_output_lines = 60\n[batch]\nmax_concurrent = ${z.jobs}\n[temporal]\ntask_queue = "realmodel-${process.pid}-${p}-${rep}"\n`,
        );
        for (let i = 0; i < z.jobs; i++) {
          const [file, instructions] = TASKS[i % TASKS.length];
          writeFileSync(path.join(root, 'jobs', `j${i}.md`), jobText({ fm: { output_dir: `out${Math.floor(i / TASKS.length)}`, output_file: file, verify: false }, body: `# ${file}\n\n${instructions}` }, `j${i}`));
        }
        const from = proxy.calls.length;
        // Each side starts on a loaded model with a cold prompt cache (freshLoad).
        await freshLoad(ollama, options);
        const t = await runBatch(address, root, p);
        const calls = proxy.calls.slice(from).filter((c) => c.path === '/api/chat');
        const first = Math.min(...calls.map((c) => c.startedAt));
        ws.push(t.endedAt - first);
        if (process.env.BENCH_TRACE) {
          for (const c of calls) console.error(`P=${p} ws +${c.startedAt - first} ms first byte +${(c.firstByteAt ?? 0) - first} end +${(c.endedAt ?? 0) - first} load ${Math.round((c.durations?.load ?? 0) / 1e6)} prompt ${c.promptEvalCount}/${Math.round((c.durations?.promptEval ?? 0) / 1e6)} ms eval ${c.evalCount}/${Math.round((c.durations?.eval ?? 0) / 1e6)} ms ${c.doneReason}`);
          console.error(`P=${p} ws result at +${t.endedAt - first}`);
        }
        passed.push(t.result.totals.passed);

        // The same calls straight to Ollama, at most p at once, in the order worksplit sent them.
        const queue = calls.map((c) => c.request as Record<string, unknown>);
        await freshLoad(ollama, options);
        const started = Date.now();
        await Promise.all(
          Array.from({ length: p }, async () => {
            for (let body = queue.shift(); body; body = queue.shift()) {
              const a = await chat(ollama.url, body);
              answers.push(a);
              if (process.env.BENCH_TRACE) console.error(`P=${p} direct +${a.startedAt - started} end +${a.endedAt - started} load ${Math.round(a.loadNs / 1e6)} prompt ${a.promptEvalCount}/${Math.round(a.promptEvalNs / 1e6)} ms eval ${a.evalCount}/${Math.round(a.evalNs / 1e6)} ms ${a.doneReason}`);
            }
          }),
        );
        direct.push(Date.now() - started);
        if (calls.length !== z.jobs) throw new Error(`P=${p}: worksplit made ${calls.length} calls for ${z.jobs} jobs`);
        rmSync(root, { recursive: true, force: true });
      }
      const m = median(ws);
      const d = median(direct);
      rows.push({
        'OLLAMA_NUM_PARALLEL = parallel': p,
        'jobs': z.jobs,
        'worksplit s (median)': r2(m / 1000),
        'runs s': ws.map((x) => r2(x / 1000)).join(' / '),
        'direct s (median)': r2(d / 1000),
        'direct runs s': direct.map((x) => r2(x / 1000)).join(' / '),
        'direct / worksplit': r2(d / m),
        'jobs passed': passed.join(' / '),
      });
    } finally {
      await proxy.stop();
      await ollama.stop();
    }
  }
  return { rows, answers };
}

/** One batch in this process (workers + client), as `worksplit run` runs it. */
async function runBatch(address: string, root: string, llmCapacity: number): Promise<{ result: BatchResult; endedAt: number }> {
  const project = await loadProject(root);
  const native = await NativeConnection.connect({ address });
  const connection = await Connection.connect({ address });
  const client = new Client({ connection });
  const workers = await createWorkers({ connection: native, namespace: 'default', queues: project.queues, root: project.ref.root, files: true, llm: true, llmCapacity, ollamaUrl: project.config.ollama.url, codec: 'plain' });
  const running = runWorkers(workers);
  try {
    const input: BatchInput = { project: project.ref, queues: project.queues, settings: runSettings(project.config), selection: { resume: false, rerun: false }, searchAttributes: true };
    const handle = await client.workflow.start<BatchWorkflow>(BATCH_WORKFLOW_TYPE, { workflowId: batchWorkflowId(project.ref.key), taskQueue: project.queues.project, args: [input], workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING });
    const result = await handle.result();
    return { result, endedAt: Date.now() };
  } finally {
    running.stop();
    await running.done;
    await native.close();
    await connection.close();
  }
}

async function main() {
  const arg = (name: string, dflt: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt);
  const z = { tasks: arg('tasks', 4), seeds: arg('seeds', 1), jobs: arg('jobs', 2), reps: arg('reps', 3), threadReps: arg('thread-reps', 2), predict: arg('predict', 48) };
  installQuietRuntime();
  const started = Date.now();
  const load = () => os.loadavg()[0].toFixed(1);
  const report: string[] = [`Machine: ${machine()}`, `Sizes: ${JSON.stringify(z)}; load average at the start ${load()}`, ''];
  const print = (title: string, rows: Row[]) => {
    report.push(`### ${title}`, '', table(rows), '');
    // On stderr as well, so a run cut short keeps what it measured.
    console.error(`${title} done at ${Math.round((Date.now() - started) / 1000)} s (load ${load()})\n${table(rows)}`);
  };

  const ollama = await startRealOllama({ weights: 'smollm2', numParallel: 1 });
  let q: Awaited<ReturnType<typeof quality>>;
  try {
    print('threads (one call at a time)', await threads(ollama, z.predict, z.threadReps));
    q = await quality(ollama, z);
    print(`answers (${z.tasks} tasks × ${z.seeds} seeds, default temperature)`, q.rows);
  } finally {
    await ollama.stop();
  }

  const tmp = mkdtempSync(path.join(os.tmpdir(), 'worksplit-bench-real-model-'));
  const serverRoot = path.join(tmp, 'server');
  mkdirSync(serverRoot);
  const server = await ensureServer(serverRoot);
  let m: Awaited<ReturnType<typeof makespans>>;
  try {
    m = await makespans(server.address, tmp, z);
    print(`makespan (${z.jobs} independent jobs, one generation call each, temperature 0)`, m.rows);
  } finally {
    await stopServer(serverRoot);
    rmSync(tmp, { recursive: true, force: true });
  }

  const all = [...q.answers, ...m.answers].filter((a) => a.evalNs > 0);
  print('tokens per second (every call above that Ollama timed)', [
    // Prompt rates are left out here: many of these prompts share a prefix Ollama had cached
    // (the threads section reads uncached prompts).
    { calls: all.length, 'generation tok/s (median)': r2(median(all.map((a) => tps(a.evalCount, a.evalNs)))), 'slowest / fastest': `${r2(Math.min(...all.map((a) => tps(a.evalCount, a.evalNs))))} / ${r2(Math.max(...all.map((a) => tps(a.evalCount, a.evalNs))))}`, 'answer tokens (median)': median(all.map((a) => a.evalCount)) },
  ]);
  report.push(`Total ${Math.round((Date.now() - started) / 1000)} s; load average at the end ${load()}.`);
  console.log(report.join('\n'));
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
