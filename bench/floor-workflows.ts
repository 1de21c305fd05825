// The Temporal shape of a worksplit job with no work in it, for `bench/hops.ts --floor`: a batch
// that starts one child workflow per job; each child runs a local activity, a model-call stand-in
// on the LLM queue, a local activity, a second call, a last local activity, as jobWorkflow does
// (load step, generation, write step, verification, final status), `concurrency` at a time. What this costs per job on a
// machine is the floor under worksplit's own per-job overhead there.
import { executeChild, proxyActivities, proxyLocalActivities, workflowInfo } from '@temporalio/workflow';

export interface FloorActivities {
  noop(): Promise<void>;
}

const local = proxyLocalActivities<FloorActivities>({ startToCloseTimeout: '10s' });

export async function floorJob(llmQueue: string): Promise<void> {
  const model = proxyActivities<FloorActivities>({ taskQueue: llmQueue, startToCloseTimeout: '10s' });
  await local.noop();
  await model.noop();
  await local.noop();
  await model.noop();
  await local.noop();
}

/** Runs the jobs `concurrency` at a time, a new one as soon as one ends (like the batch). */
export async function floorBatch(jobs: number, llmQueue: string, concurrency = 1): Promise<void> {
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < jobs; i = next++) await executeChild(floorJob, { args: [llmQueue], workflowId: `${workflowInfo().workflowId}/job/${i}` });
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, jobs) }, lane));
}
