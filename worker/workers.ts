// Building the workers one process runs: the project worker (workflows + file activities on the
// project's queue) and the LLM worker (model calls on the shared LLM queue).
import { setFlagsFromString } from 'node:v8';
import { ApplicationFailure, type PayloadCodec } from '@temporalio/common';
import { DefaultLogger, NativeConnection, Runtime, Worker, WorkerOptions } from '@temporalio/worker';
import { createFileActivities, createLlmActivities } from '../activities';
import { isForgedValue } from '../core/payload-marks';
import { sealedDataConverter } from './payload-codec';
import type { TaskQueues } from '../workflows/types';
import { workflowCodeOptions } from './bundle';

export interface WorkerSetup {
  connection: NativeConnection;
  namespace: string;
  queues: TaskQueues;
  /** The project this worker serves (its real path): file activities refuse any other root. */
  root: string;
  /** Poll the project's queue (workflows and file activities). */
  files: boolean;
  /** Poll the LLM queue. */
  llm: boolean;
  /** Model calls this worker runs at once: the Ollama server's parallel capacity. */
  llmCapacity: number;
  /** The Ollama this worker's model calls go to: its own project's [ollama] url, or --url. Never
   * taken from a workflow's input: whoever can start a workflow on the queue must not be able to
   * send the project's files to a server of their choosing, or choose the answers written. */
  ollamaUrl: string;
  /** The project's payload codec (worker/payload-codec.ts): every payload sealed with its key,
   * and nothing accepted that the key does not open. 'plain' (tests of workflow logic, benchmarks
   * and recorded histories only) sends payloads as they are. */
  codec: PayloadCodec | 'plain';
}

/** An activity refuses arguments the project's key did not open (a workflow started by someone
 * without the key), for good, before it does anything: no model call, no file read. */
function sealedOnly<T extends object>(activities: T): T {
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(activities)) {
    if (typeof fn !== 'function') continue;
    out[name] = (...args: unknown[]) => {
      const forged = args.find(isForgedValue);
      if (forged) throw ApplicationFailure.create({ type: 'Unauthenticated', nonRetryable: true, message: `refused ${name}: its request is ${forged.worksplitUnauthenticated}; this worker serves only requests sealed with its project's payload key` });
      return (fn as (...a: unknown[]) => unknown)(...args);
    };
  }
  return out as T;
}

// Cancellation reaches an activity only with a heartbeat's answer, so heartbeats must not be
// throttled for long: a cancelled or stop-on-fail job aborts its stream within about a second.
const common: Partial<WorkerOptions> = {
  maxHeartbeatThrottleInterval: '1s',
  defaultHeartbeatThrottleInterval: '1s',
  shutdownGraceTime: '1s',
};

let runtimeInstalled = false;

/** Keep the SDK's own logging to errors, so the CLI's output stays readable. */
export function installQuietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // Already installed by the host process (tests install their own): keep it.
  }
}

/** V8 flags of a process that hosts workers (BENCHMARKS.md, "Memory and activations"). A batch's
 * steady state is small, but its worker makes garbage fast (the status file rewritten after every
 * job, activation payloads, prompts) and V8, on a machine with gigabytes free, lets both heaps (the
 * main thread's and the workflow thread's) grow several times over their live size between full
 * collections: 471 MB peak RSS at 5,000 jobs. Favouring size keeps the growth near the live size.
 * It is not a limit (unlike --max-old-space-size): a bigger batch still gets the heap it needs. */
export const WORKER_V8_FLAGS = ['--optimize-for-size'];

let v8Tuned = false;

/** Set WORKER_V8_FLAGS, before the workflow thread starts (its heap is sized when it starts; the
 * main thread's follows from its next full collection). */
export function tuneV8ForWorkers(): void {
  if (v8Tuned) return;
  v8Tuned = true;
  for (const flag of WORKER_V8_FLAGS) setFlagsFromString(flag);
}

export async function createWorkers(setup: WorkerSetup): Promise<Worker[]> {
  tuneV8ForWorkers();
  const workers: Promise<Worker>[] = [];
  const sealed = setup.codec !== 'plain';
  const data = { dataConverter: sealedDataConverter(setup.codec) };
  const guard = <T extends object>(a: T): T => (sealed ? sealedOnly(a) : a);
  if (setup.files) {
    workers.push(
      Worker.create({
        ...common,
        connection: setup.connection,
        namespace: setup.namespace,
        taskQueue: setup.queues.project,
        ...workflowCodeOptions(),
        ...data,
        // With model calls served here too, the workflows can make a call again as a local
        // activity when a worker without the key took it (workflows/authentic-call.ts).
        activities: guard({ ...createFileActivities(setup.root), ...(setup.llm ? createLlmActivities({ url: setup.ollamaUrl }) : {}) }),
        maxConcurrentActivityTaskExecutions: 200,
      }),
    );
  }
  if (setup.llm) {
    workers.push(
      Worker.create({
        ...common,
        connection: setup.connection,
        namespace: setup.namespace,
        taskQueue: setup.queues.llm,
        ...data,
        activities: guard(createLlmActivities({ url: setup.ollamaUrl })),
        maxConcurrentActivityTaskExecutions: Math.max(1, setup.llmCapacity),
      }),
    );
  }
  return Promise.all(workers);
}

/** Run workers until `stop` is called (or one fails); resolves when all have shut down. */
export function runWorkers(workers: Worker[]): { done: Promise<void>; stop: () => void } {
  const done = Promise.all(workers.map((w) => w.run())).then(() => undefined);
  return {
    done,
    stop: () => {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
    },
  };
}
