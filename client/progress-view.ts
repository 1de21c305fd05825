// How `worksplit run` shows a batch while it runs. On a terminal: one line per running job
// (id, phase, elapsed, tokens so far) under a bar with the totals, redrawn in place (cli-progress).
// Elsewhere: one plain line per job state change. With -q: nothing.
import cliProgress from 'cli-progress';
import type { Client } from '@temporalio/client';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow';
import { jobWorkflowId } from '../core/ids';
import { reasonLine } from '../core/printable';
import type { ChatHeartbeat } from '../core/model-call';
import type { BatchJobReport, BatchProgress, BatchResult } from '../workflows/types';
import { type JobWorkflow, jobProgressQuery } from '../workflows/messages';
import { Output, colors, seconds } from './output';
import { type Forecast, forecastLine } from '../core/forecast';

const MARK: Record<string, string> = { passed: colors.green('✔'), failed: colors.red('✖'), skipped: colors.yellow('↷'), cancelled: colors.yellow('⊘'), running: colors.cyan('▶') };

/** What a running job is doing, as far as the CLI can tell. */
export interface LiveJob {
  phase?: string;
  /** Output tokens so far: finished calls plus the call streaming now. */
  tokens?: number;
}

/** The line a finished (or started) job gets in the plain log and above the live view. */
export function eventLine(id: string, j: BatchJobReport): string {
  if (j.state === 'running') return `${MARK.running} ${id} started`;
  if (j.state === 'passed') {
    return `${MARK.passed} ${id} passed${j.retried ? ' after a retry' : ''}${j.startedAt && j.finishedAt ? ` in ${seconds(j.finishedAt - j.startedAt)}` : ''}${j.tokens ? `, ${j.tokens.outputTokens} tokens` : ''}${j.reason ? ` (warnings: ${reasonLine(j.reason)})` : ''}`;
  }
  return `${MARK[j.state] ?? '-'} ${id} ${j.state}: ${reasonLine(j.reason ?? '')}`;
}

/** One live line per running job: id, phase, elapsed, tokens so far. */
export function runningLine(id: string, j: BatchJobReport, live: LiveJob, now: number, width = 24): string {
  const elapsed = j.startedAt ? seconds(Math.max(0, now - j.startedAt)) : '';
  return `  ${colors.cyan('▶')} ${id.padEnd(width).slice(0, width)} ${(live.phase ?? 'starting').padEnd(14)} ${elapsed.padStart(6)}  ${live.tokens !== undefined ? `${live.tokens} tokens` : ''}`;
}

export function totalsLine(p: Pick<BatchProgress, 'totals' | 'paused'>): string {
  const t = p.totals;
  return `${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped, ${t.cancelled} cancelled, ${t.running} running, ${t.waiting} waiting${p.paused ? ' (paused)' : ''}`;
}

/** Ask each running job for its phase and its streaming call's heartbeat (tokens so far). */
export async function liveJobs(client: Client, projectKey: string, running: string[]): Promise<Record<string, LiveJob>> {
  const out: Record<string, LiveJob> = {};
  await Promise.all(
    running.slice(0, 32).map(async (id) => {
      const handle = client.workflow.getHandle<JobWorkflow>(jobWorkflowId(projectKey, id));
      try {
        const [progress, desc] = await Promise.all([handle.query(jobProgressQuery), handle.describe()]);
        let streaming = 0;
        for (const a of desc.raw.pendingActivities ?? []) {
          const payloads = a.heartbeatDetails?.payloads;
          if (!payloads?.length) continue;
          // Sealed with the project's key like every payload: decoded by the client's converter.
          const hb = await decodeFromPayloadsAtIndex<ChatHeartbeat>(client.workflow.options.loadedDataConverter, 0, payloads).catch(() => undefined);
          streaming += hb?.tokens ?? 0;
        }
        out[id] = { phase: progress.phase, tokens: progress.tokens.outputTokens + streaming };
      } catch {
        out[id] = {};
      }
    }),
  );
  return out;
}

export interface ProgressWatcher {
  stop(): void;
  /** Print what the final result adds (jobs that ended after the last poll). */
  flush(r: BatchResult): void;
}

/** Poll the batch and show its progress in the way that suits the output; with `forecast`, the
 * time and tokens left (on a terminal beside the totals, elsewhere at each quarter done). */
export function watchProgress(query: () => Promise<BatchProgress>, out: Output, live?: { client: Client; projectKey: string; forecast?: (p: BatchProgress) => Forecast | undefined }): ProgressWatcher {
  if (out.quiet) return { stop: () => undefined, flush: () => undefined };
  const tty = !!process.stderr.isTTY && !!live;
  const seen = new Map<string, string>();
  const bars = tty ? new cliProgress.MultiBar({ format: (_o, _p, payload: { line: string }) => payload.line, hideCursor: true, clearOnComplete: true, fps: 5, stream: process.stderr }) : undefined;
  const total = bars?.create(1, 0, { line: '' });
  const rows = new Map<string, cliProgress.SingleBar>();
  let drawing = !!bars;
  const say = (line: string) => (drawing ? bars!.log(`${line}\n`) : out.line(line));
  const report = (p: Pick<BatchProgress, 'jobs'>) => {
    for (const [id, j] of Object.entries(p.jobs).sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (seen.get(id) === j.state || j.state === 'waiting') continue;
      seen.set(id, j.state);
      // On a terminal, a start shows as a live row instead of a line.
      if (!(bars && j.state === 'running')) say(eventLine(id, j));
    }
  };
  let stopped = false;
  let quartersShown = 0;
  const loop = (async () => {
    while (!stopped) {
      try {
        const p = await query();
        report(p);
        const f = live?.forecast?.(p);
        const finished = p.totals.passed + p.totals.failed + p.totals.skipped + p.totals.cancelled;
        const quarter = p.totals.total > 0 ? Math.floor((4 * finished) / p.totals.total) : 0;
        if (f && !drawing && quarter > quartersShown && quarter < 4) {
          quartersShown = quarter;
          say(colors.dim(`${forecastLine(f)} (from ${f.basis})`));
        }
        if (drawing && bars && live && total) {
          const running = Object.entries(p.jobs).filter(([, j]) => j.state === 'running').map(([id]) => id);
          const info = await liveJobs(live.client, live.projectKey, running);
          const done = p.totals.passed + p.totals.failed + p.totals.skipped + p.totals.cancelled;
          total.setTotal(Math.max(1, p.totals.total));
          total.update(done, { line: `${bar(done, p.totals.total)} ${done}/${p.totals.total}  ${totalsLine(p)}${f ? `  ${forecastLine(f)}` : ''}` });
          for (const id of running) {
            const line = runningLine(id, p.jobs[id], info[id] ?? {}, Date.now());
            const row = rows.get(id) ?? bars.create(1, 0, { line });
            rows.set(id, row);
            row.update(0, { line });
          }
          for (const [id, row] of rows) if (!running.includes(id)) { bars.remove(row); rows.delete(id); }
        }
      } catch {
        // The batch may not have run its first workflow task yet; ask again.
      }
      await new Promise((r) => setTimeout(r, 400));
    }
  })();
  return {
    stop: () => {
      stopped = true;
      void loop;
      bars?.stop();
      drawing = false;
    },
    flush: (r) => report(r),
  };
}

function bar(done: number, total: number, width = 24): string {
  const filled = total > 0 ? Math.round((done / total) * width) : 0;
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}]`;
}
