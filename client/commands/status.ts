// `worksplit status`: job statuses. While a batch runs, its live state (through the batch's
// progress query) is shown beside the status file's; otherwise the status file alone.
import { printable, reasonLine } from '../../core/printable';
import { listJobIds } from '../../project/jobs-folder';
import { statusStoreFor } from '../../project/status-store';
import { StatusEntry, countStatuses, summaryLine, syncEntries } from '../../core/status';
import type { BatchJobReport, BatchProgress } from '../../workflows/types';
import { findRunningBatch } from '../live-batch';
import { type History, batchForecast, earlierJobs } from '../forecast';
import { type Forecast, forecastLine } from '../../core/forecast';
import { Output, colors, seconds } from '../output';
import { loadProject } from '../project';

export interface StatusOptions {
  path: string;
  json?: boolean;
  summary?: boolean;
  verbose?: boolean;
  watch?: boolean;
}

/** The documented shape of `status --json` (see README). */
export interface StatusJson {
  running: boolean;
  batch: { workflowId: string; paused: boolean; maxConcurrent: number; totals: BatchProgress['totals']; tokens: BatchProgress['tokens'] } | null;
  /** While a batch runs: the time and output tokens it still needs, and what that was learned
   * from; null with no batch running or nothing to learn from yet. */
  forecast: Forecast | null;
  totals: { total: number; passed: number; failed: number; partial: number; pending: number; created: number };
  jobs: Array<{
    id: string;
    status: StatusEntry['status'];
    error: string | null;
    ran: boolean;
    updated_at: string;
    partial_state?: StatusEntry['partial_state'];
    /** Every file the job's last run wrote (from the status file). */
    written_files?: string[];
    /** While a batch runs, or after it ran in this server's memory: the batch's view. */
    state?: BatchJobReport['state'];
    reason?: string;
    outputs?: string[];
    retried?: boolean;
    tokens?: BatchJobReport['tokens'];
    duration_ms?: number;
  }>;
}

const COLOR: Record<string, (s: string) => string> = { pass: colors.green, fail: colors.red, partial: colors.yellow };

export async function statusCommand(opts: StatusOptions, out: Output): Promise<number> {
  const project = await loadProject(opts.path);
  let history: History | undefined;
  for (;;) {
    const ids = await listJobIds(project.ref.root);
    // Show the file as a run would see it (new job files as created), without writing it.
    const { entries } = syncEntries(await statusStoreFor(project.ref.root).read(), ids, new Date().toISOString());
    const live = await findRunningBatch(project);
    let f: Forecast | undefined;
    if (live) {
      // Earlier batches do not change while this one runs: read once, also under --watch.
      history ??= await earlierJobs(live.client, live.handle.workflowId, project.config.ollama.model);
      f = batchForecast(live.progress, history, project.config.ollama.parallel);
    }
    await live?.close();
    const report = toJson(entries, live?.progress, live?.handle.workflowId, f);
    if (opts.watch && process.stdout.isTTY) process.stdout.write('\x1b[2J\x1b[H');
    print(report, opts, out);
    if (!opts.watch || !report.running) return 0;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

export function toJson(entries: StatusEntry[], progress: BatchProgress | undefined, workflowId: string | undefined, forecast?: Forecast): StatusJson {
  const c = countStatuses(entries);
  return {
    running: !!progress,
    batch: progress && workflowId ? { workflowId, paused: progress.paused, maxConcurrent: progress.maxConcurrent, totals: progress.totals, tokens: progress.tokens } : null,
    forecast: progress && forecast ? forecast : null,
    totals: { total: entries.length, ...c },
    jobs: entries.map((e) => {
      const j = progress?.jobs[e.id];
      return {
        id: e.id,
        status: e.status,
        error: e.error ?? null,
        ran: !!e.ran,
        updated_at: e.updated_at,
        ...(e.partial_state ? { partial_state: e.partial_state } : {}),
        ...(e.written_files ? { written_files: e.written_files } : {}),
        ...(j ? { state: j.state, ...(j.reason ? { reason: j.reason } : {}), ...(j.outputs ? { outputs: j.outputs } : {}), ...(j.retried !== undefined ? { retried: j.retried } : {}), ...(j.tokens ? { tokens: j.tokens } : {}), ...(j.startedAt && j.finishedAt ? { duration_ms: j.finishedAt - j.startedAt } : {}) } : {}),
      };
    }),
  };
}

function print(r: StatusJson, opts: StatusOptions, out: Output): void {
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    return;
  }
  if (opts.verbose && !opts.summary) {
    // As wide as the longest id, so long ids never run into the status column.
    const width = Math.max(28, ...r.jobs.map((j) => printable(j.id).length));
    for (const j of r.jobs) {
      const paint = COLOR[j.status] ?? ((s: string) => s);
      const live = j.state && j.state !== 'waiting' ? ` [${j.state}${j.duration_ms ? ` ${seconds(j.duration_ms)}` : ''}]` : '';
      out.line(`${printable(j.id).padEnd(width)} ${paint(j.status.padEnd(20))}${live}${j.error ? ` ${reasonLine(j.error)}` : ''}`);
    }
  }
  const line = summaryLine(r.jobs.map((j) => ({ id: j.id, status: j.status, created_at: '', updated_at: '' })));
  if (r.batch) {
    const t = r.batch.totals;
    out.line(`${line} (batch running: ${t.running} running, ${t.waiting} waiting${r.batch.paused ? ', paused' : ''})`);
    if (r.forecast) out.line(`${forecastLine(r.forecast)} (from ${r.forecast.basis})`);
  } else out.line(line);
}
