// Connecting tests to the suite's Temporal server and running real workers and batches on it.
import { Client, Connection, WorkflowHandle, WorkflowIdConflictPolicy } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import type { ConfigOverrides } from '../../core/config';
import { batchWorkflowId } from '../../core/ids';
import { PROJECT_KEY } from '../../core/search-attributes';
import type { SelectOptions } from '../../core/status';
import { Project, loadProject, runSettings } from '../../client/project';
import { createWorkers, runWorkers } from '../../worker/workers';
import { payloadCodec } from '../../client/payload-key';
import { sealedDataConverter } from '../../worker/payload-codec';
import type { BatchInput, BatchProgress, BatchResult } from '../../workflows/types';
import { BATCH_WORKFLOW_TYPE, type BatchWorkflow, progressQuery } from '../../workflows/messages';

// The SDK logs every failed job workflow with its stack at WARN; tests fail jobs on purpose.
try {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
} catch {
  // Installed already in this process.
}

export interface Harness {
  client: Client;
  native: NativeConnection;
  address: string;
  close(): Promise<void>;
}

export async function connectTestServer(): Promise<Harness> {
  const address = process.env.WORKSPLIT_TEST_TEMPORAL_ADDRESS;
  if (!address) throw new Error('WORKSPLIT_TEST_TEMPORAL_ADDRESS is not set: run the tests through jest (global setup starts the server)');
  const connection = await Connection.connect({ address });
  const native = await NativeConnection.connect({ address });
  return {
    client: new Client({ connection }),
    native,
    address,
    close: async () => {
      await connection.close();
      await native.close();
    },
  };
}

export interface RunningWorkers {
  project: Project;
  stop(): Promise<void>;
}

/** Workers of `root` on the suite's server. Payloads are plain unless `codec` is given, or
 * `sealed` (the project's own key, as the CLI's workers have it: for tests where CLI commands
 * talk to the batch; start it with sealedFor's client). */
export async function startWorkers(h: Harness, root: string, opts: { llmCapacity?: number; files?: boolean; llm?: boolean; overrides?: ConfigOverrides; codec?: PayloadCodec; sealed?: boolean } = {}): Promise<RunningWorkers> {
  // The worker's Ollama is its project's (with the run's --url), as `worksplit run` makes it.
  const project = await loadProject(root, opts.overrides);
  const workers = await createWorkers({
    connection: h.native,
    namespace: 'default',
    queues: project.queues,
    root: project.ref.root,
    ollamaUrl: project.config.ollama.url,
    files: opts.files ?? true,
    llm: opts.llm ?? true,
    llmCapacity: opts.llmCapacity ?? 64,
    codec: opts.codec ?? (opts.sealed ? await payloadCodec(project.ref.root, { onForged: 'mark' }) : 'plain'),
  });
  const running = runWorkers(workers);
  return {
    project,
    stop: async () => {
      running.stop();
      await running.done;
    },
  };
}

/** The harness with a client that seals payloads with `root`'s key, as the CLI's clients do: for
 * batches that workers started by the CLI (`worksplit worker`) or with `codec` run. */
export async function sealedFor(h: Harness, root: string): Promise<Harness> {
  const project = await loadProject(root);
  const dataConverter = sealedDataConverter(await payloadCodec(project.ref.root, { onForged: 'throw' }));
  return { ...h, client: new Client({ connection: h.client.connection, dataConverter }) };
}

export interface BatchRun {
  handle: WorkflowHandle<BatchWorkflow>;
  project: Project;
}

export async function startBatch(h: Harness, root: string, opts: { selection?: Partial<SelectOptions>; overrides?: ConfigOverrides } = {}): Promise<BatchRun> {
  const project = await loadProject(root, opts.overrides);
  const input: BatchInput = {
    project: project.ref,
    queues: project.queues,
    settings: runSettings(project.config),
    selection: { resume: false, rerun: false, ...opts.selection },
    searchAttributes: true,
  };
  const handle = await h.client.workflow.start<BatchWorkflow>(BATCH_WORKFLOW_TYPE, {
    workflowId: batchWorkflowId(project.ref.key),
    taskQueue: project.queues.project,
    args: [input],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    typedSearchAttributes: [{ key: PROJECT_KEY, value: project.ref.key }],
  });
  return { handle, project };
}

/** Start workers and a batch, wait for the result, stop the workers. */
export async function runBatch(h: Harness, root: string, opts: Parameters<typeof startBatch>[2] & { llmCapacity?: number } = {}): Promise<BatchResult & { workflowId: string }> {
  const w = await startWorkers(h, root, { llmCapacity: opts.llmCapacity, overrides: opts.overrides });
  try {
    const { handle } = await startBatch(h, root, opts);
    const result = await handle.result();
    return { ...result, workflowId: handle.workflowId };
  } finally {
    await w.stop();
  }
}

export async function progressOf(handle: WorkflowHandle<BatchWorkflow>): Promise<BatchProgress> {
  return handle.query(progressQuery);
}

export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs = 30_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
