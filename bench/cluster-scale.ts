// `npm run build && node dist/bench/cluster-scale.js [--jobs=10000] [--batch=5000] [--reps=1]`: the
// same instant-answer jobs (max_concurrent 64) through the embedded dev server (SQLite) and through the
// PostgreSQL-backed server of the cluster tier (`npm run cluster:start`), alternately, in one run
// on one machine: jobs per second, peak RSS of `worksplit run`, and the CPU per job of the server
// side (the dev server's process; the Temporal server's process and PostgreSQL's processes).
// Prints a markdown table and writes bench/results/cluster-scale.json.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureServer, stopServer } from '../client/dev-server';
import { packageRoot } from '../worker/bundle';
import { OllamaTestServer } from '../test/support/ollama-test-server';
import { BenchContext, ids, machine, makeBenchProject, median, pacedReplies, runCliMeasured } from './scenarios';

const TICK = 100; // clock ticks per second (getconf CLK_TCK on Linux)

/** CPU seconds of a process: its own plus its reaped children's (utime, stime, cutime, cstime). */
function cpuOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / TICK;
  } catch {
    return 0;
  }
}

/** A process and its live children (PostgreSQL's backends are the postmaster's children; those
 * that exited are in its cutime/cstime). */
function cpuOfTree(pid: number): number {
  let total = cpuOf(pid);
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) {
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        total += (Number(f[11]) + Number(f[12])) / TICK;
      }
    } catch {
      // exited
    }
  }
  return total;
}

function clusterRun(): string {
  const cache = process.env.WORKSPLIT_CLUSTER_CACHE ?? path.join(os.homedir(), '.cache', 'worksplit', 'temporal-server-1.32.0');
  return process.env.WORKSPLIT_CLUSTER_RUN ?? path.join(cache, 'run');
}

interface Side {
  name: string;
  address: string;
  /** CPU seconds of the server side so far, by part. */
  cpu(): Record<string, number>;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const jobs = Number(args.find((a) => a.startsWith('--jobs='))?.slice(7) ?? 10_000);
  const reps = Number(args.find((a) => a.startsWith('--reps='))?.slice(7) ?? 1);
  const perBatch = Number(args.find((a) => a.startsWith('--batch='))?.slice(8) ?? 5_000);
  const repo = packageRoot();
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'worksplit-cluster-bench-'));
  const ollama = await new OllamaTestServer().start();
  ollama.respond = pacedReplies(0, 0);
  const ctx: BenchContext = { address: '', ollama, tmp, cli: path.join(repo, 'bin', 'worksplit.js') };

  const devRoot = path.join(tmp, 'dev-server');
  mkdirSync(devRoot);
  const dev = await ensureServer(devRoot);
  const started = execFileSync('npm', ['run', '--silent', 'cluster:start'], { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const clusterAddress = /TEMPORAL_ADDRESS=(\S+)\s*$/.exec(started)![1];
  const run = clusterRun();
  const serverPid = Number(readFileSync(path.join(run, 'temporal.pid'), 'utf8').trim());
  const pgdata = readFileSync(path.join(run, 'pgdata.path'), 'utf8').trim();
  const postmaster = () => Number(readFileSync(path.join(pgdata, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const sides: Side[] = [
    { name: 'dev server (SQLite)', address: dev.address, cpu: () => ({ server: cpuOf(dev.pid) }) },
    { name: 'Temporal 1.32.0 on PostgreSQL 15', address: clusterAddress, cpu: () => ({ server: cpuOf(serverPid), postgres: cpuOfTree(postmaster()) }) },
  ];
  const results: Record<string, { wallS: number; jobsPerS: number; peakRssMb: number; serverCpuMsPerJob: number; parts: Record<string, number>; load: string }[]> = {};
  try {
    for (let rep = 0; rep < reps; rep++) {
      for (const side of sides) {
        const before = side.cpu();
        const load0 = os.loadavg()[0].toFixed(1);
        // One batch's plan must fit in 1 MB of history (activities/planning.ts): 10,000 jobs are
        // two project folders of 5,000, run one after the other.
        const m = { wallMs: 0, peakRssMb: 0 };
        for (let done = 0; done < jobs; done += perBatch) {
          const n = Math.min(perBatch, jobs - done);
          const root = makeBenchProject(ctx, ids('s', n).map((id) => ({ id })), 64);
          const b = await runCliMeasured(ctx, ['--path', root, 'run', '-q'], { TEMPORAL_ADDRESS: side.address, TEMPORAL_UI_URL: '' });
          if (b.code !== 0) throw new Error(`${side.name}: run exited ${b.code}`);
          m.wallMs += b.wallMs;
          m.peakRssMb = Math.max(m.peakRssMb, b.peakRssMb);
          rmSync(root, { recursive: true, force: true });
        }
        const after = side.cpu();
        const parts = Object.fromEntries(Object.keys(after).map((k) => [k, Math.round(((after[k] - before[k]) * 1000) / jobs * 10) / 10]));
        const row = {
          wallS: Math.round(m.wallMs / 100) / 10,
          jobsPerS: Math.round((jobs / (m.wallMs / 1000)) * 100) / 100,
          peakRssMb: m.peakRssMb,
          serverCpuMsPerJob: Math.round(Object.values(parts).reduce((a, b) => a + b, 0) * 10) / 10,
          parts,
          load: `${load0} → ${os.loadavg()[0].toFixed(1)}`,
        };
        (results[side.name] ??= []).push(row);
        console.error(`${side.name}: ${JSON.stringify(row)}`);
      }
    }
  } finally {
    await ollama.stop();
    await stopServer(devRoot);
    rmSync(tmp, { recursive: true, force: true });
  }
  const lines = [
    `Machine: ${machine()}. ${jobs.toLocaleString('en')} jobs in batches of ${perBatch.toLocaleString('en')} one after the other, max_concurrent 64, instant answers, ${reps} run(s) per side, alternating.`,
    '',
    '| server | jobs/s | wall s | peak RSS of `worksplit run` | server-side CPU per job | of which | load at start → end |',
    '|---|---|---|---|---|---|---|',
    ...sides.map((s) => {
      const r = results[s.name];
      const med = (f: (x: (typeof r)[number]) => number) => median(r.map(f));
      const parts = Object.keys(r[0].parts).map((k) => `${k} ${median(r.map((x) => x.parts[k]))} ms`).join(', ');
      return `| ${s.name} | ${med((x) => x.jobsPerS)} | ${med((x) => x.wallS)} | ${med((x) => x.peakRssMb)} MB | ${med((x) => x.serverCpuMsPerJob)} ms | ${parts} | ${r.map((x) => x.load).join('; ')} |`;
    }),
  ];
  console.log(lines.join('\n'));
  mkdirSync(path.join(repo, 'bench', 'results'), { recursive: true });
  writeFileSync(path.join(repo, 'bench', 'results', 'cluster-scale.json'), JSON.stringify({ date: new Date().toISOString(), machine: machine(), jobs, reps, results }, null, 2));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
