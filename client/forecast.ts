// The forecast of a running (or planned) batch: what earlier batches of this project with the same
// model took, from Temporal's history (each batch's result holds every job's times and tokens),
// projected by core/forecast.ts.
import type { Client } from '@temporalio/client';
import { type Forecast, type ForecastJob, type JobSample, forecast, sampleOf } from '../core/forecast';
import type { Deps } from '../core/graph';
import type { BatchResult } from '../workflows/types';

/** The earlier batches a forecast learns from, newest first. */
const EARLIER_BATCHES = 5;

export interface History {
  samples: JobSample[];
  batches: number;
}

/** Finished jobs of this project's earlier batches run with `model` (the batch's memo names it). */
export async function earlierJobs(client: Client, batchWorkflowId: string, model: string): Promise<History> {
  const samples: JobSample[] = [];
  let batches = 0;
  try {
    const runs: Array<{ runId: string; closeTime?: Date; memo?: Record<string, unknown> }> = [];
    for await (const w of client.workflow.list({ query: `WorkflowId = '${batchWorkflowId}' AND ExecutionStatus = 'Completed'`, pageSize: 20 })) {
      runs.push(w);
      if (runs.length >= 50) break;
    }
    runs.sort((a, b) => (b.closeTime?.getTime() ?? 0) - (a.closeTime?.getTime() ?? 0));
    for (const run of runs.filter((r) => r.memo?.model === model).slice(0, EARLIER_BATCHES)) {
      const result = (await client.workflow.getHandle(batchWorkflowId, run.runId).result()) as BatchResult;
      const own = Object.values(result.jobs).map(sampleOf).filter((s): s is JobSample => s !== undefined);
      if (own.length === 0) continue;
      samples.push(...own);
      batches++;
    }
  } catch {
    // No visibility store, or a history that cannot be read: learn from this batch alone.
  }
  return { samples, batches };
}

export interface BatchShape {
  jobs: Record<string, ForecastJob>;
  deps?: Deps;
  maxConcurrent: number;
  /** Stopping (stop-on-fail): nothing more starts, so there is nothing to forecast. */
  stopping?: boolean;
}

export function batchForecast(b: BatchShape, history: History, parallel: number, now = Date.now()): Forecast | undefined {
  if (b.stopping) return undefined;
  return forecast({ jobs: b.jobs, deps: b.deps ?? {}, maxConcurrent: b.maxConcurrent, parallel, now, history: history.samples, historyBatches: history.batches });
}
