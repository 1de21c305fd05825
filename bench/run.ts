// `npm run bench` (full sizes, 3 runs each) or `npm run bench -- --smoke` (tiny sizes, CI);
// `--only=graph,overhead` picks sections, `--baseline=PATH/bin/worksplit.js` compares another build
// (startup, readonly):
// starts a Temporal CLI dev server and the Ollama-protocol test server, runs the benchmarks side
// by side, prints a markdown report and writes bench/results/latest.json.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureServer, stopServer } from '../client/dev-server';
import { installQuietRuntime } from '../worker/workers';
import { packageRoot } from '../worker/bundle';
import { OllamaTestServer } from '../test/support/ollama-test-server';
import { BenchContext, machine } from './scenarios';
import { FULL, Row, SMOKE, dependencyGraph, fanOut, ollamaSlots, overhead, readOnly, scale, startup } from './suite';

function table(rows: Row[]): string {
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return [`| ${cols.join(' | ')} |`, `|${cols.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${cols.map((c) => r[c] ?? '').join(' | ')} |`)].join('\n');
}

async function main() {
  const args = process.argv.slice(2);
  const smoke = args.includes('--smoke');
  const only = args.find((a) => a.startsWith('--only='))?.slice(7).split(',');
  // --reps=N, --fanout=16,64 and --scale=N (jobs) narrow a run while working on one figure;
  // published figures use the defaults.
  const reps = args.find((a) => a.startsWith('--reps='))?.slice(7);
  const fanout = args.find((a) => a.startsWith('--fanout='))?.slice(9);
  const scaleJobs = args.find((a) => a.startsWith('--scale='))?.slice(8);
  // --baseline=OTHER/bin/worksplit.js: the startup and readonly sections also time that build,
  // alternately.
  const baseline = args.find((a) => a.startsWith('--baseline='))?.slice(11);
  const sizes = { ...(smoke ? SMOKE : FULL), ...(reps ? { reps: Number(reps) } : {}), ...(fanout ? { fanoutConcurrency: fanout.split(',').map(Number) } : {}), ...(scaleJobs ? { scaleJobs: Number(scaleJobs) } : {}) };
  installQuietRuntime();
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'worksplit-bench-'));
  const serverRoot = path.join(tmp, 'server');
  mkdirSync(serverRoot);
  const server = await ensureServer(serverRoot);
  const ollama = await new OllamaTestServer().start();
  const ctx: BenchContext = { address: server.address, ollama, tmp, cli: path.join(packageRoot(), 'bin', 'worksplit.js') };
  const sections: Array<[string, (c: BenchContext) => Promise<Row[]>]> = [
    ['fanout', (c) => fanOut(c, sizes)],
    ['graph', (c) => dependencyGraph(c, sizes)],
    ['slots', (c) => ollamaSlots(c, sizes)],
    ['overhead', (c) => overhead(c, sizes)],
    ['scale', (c) => scale(c, sizes)],
    ['startup', (c) => startup(c, sizes, async (root) => void (await stopServer(root)), baseline)],
    ['readonly', (c) => readOnly(c, sizes, baseline)],
  ];
  const results: Record<string, Row[]> = {};
  const started = Date.now();
  try {
    for (const [name, fn] of sections) {
      if (only && !only.includes(name)) continue;
      const t0 = Date.now();
      results[name] = await fn(ctx);
      console.error(`${name} done in ${Math.round((Date.now() - t0) / 1000)} s`);
    }
  } finally {
    await ollama.stop();
    await stopServer(serverRoot);
  }
  const report = [`Machine: ${machine()}`, `Mode: ${smoke ? 'smoke (tiny sizes, 1 run)' : `full (${sizes.reps} runs each, medians)`}; total ${Math.round((Date.now() - started) / 1000)} s`, ''];
  for (const [name, rows] of Object.entries(results)) report.push(`### ${name}`, '', table(rows), '');
  console.log(report.join('\n'));
  const out = path.join(packageRoot(), 'bench', 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, smoke ? 'smoke.json' : only || reps || fanout || scaleJobs ? 'partial.json' : 'latest.json'), JSON.stringify({ machine: machine(), date: new Date().toISOString(), sizes, results }, null, 2));
  rmSync(tmp, { recursive: true, force: true });
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
