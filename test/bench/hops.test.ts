// `node dist/bench/hops.js` keeps working: a small run of worksplit's jobs and of the no-work
// floor, each reporting every part of a job's time, the CPU per job of both processes and the
// server's database requests.
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';

const HOPS = path.join(__dirname, '..', '..', 'dist', 'bench', 'hops.js');
const PARTS = ['start the child', 'workflow code', 'local activities', 'complete a workflow task', 'hand an activity', 'LLM activity', 'next workflow task', 'between the steps'];

async function hops(...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [HOPS, ...args], { env: { ...process.env, TEMPORAL_ADDRESS: '' }, maxBuffer: 10 * 1024 * 1024 });
  return stdout;
}

function figure(report: string, label: string): number {
  const m = new RegExp(`\\| [^|]*${label}[^|]* \\| \\**([\\d.-]+)\\** \\|`).exec(report);
  if (!m) throw new Error(`no "${label}" row in:\n${report}`);
  return Number(m[1]);
}

test.each([
  ['worksplit jobs', ['8', '1']],
  ['floor: the same Temporal shape with no work', ['8', '1', '--floor']],
])('%s: every part of a job measured, CPU and database requests counted', async (title, args) => {
  const report = await hops(...args);
  expect(report).toContain(`${title}, 8 jobs at C=1`);
  for (const part of PARTS.slice(0, -1)) expect(figure(report, part)).toBeGreaterThan(0);
  // The rest of the job's time is what the log's intervals leave: never negative.
  expect(figure(report, 'between the steps')).toBeGreaterThanOrEqual(0);
  const total = figure(report, 'job, start to last workflow task');
  const sum = PARTS.reduce((a, p) => a + figure(report, p), 0);
  expect(Math.abs(sum - total)).toBeLessThan(0.5);
  const cpu = /CPU per warm job: worker process ([\d.]+) ms .*Temporal server ([\d.]+) ms/.exec(report);
  expect(cpu).not.toBeNull();
  expect(Number(cpu![1])).toBeGreaterThan(0);
  expect(Number(cpu![2])).toBeGreaterThan(0);
  // A job's history is written in several steps: child start, three workflow tasks, two activities.
  expect(Number(/UpdateWorkflowExecution ([\d.]+)/.exec(report)?.[1])).toBeGreaterThanOrEqual(5);
}, 180_000);
