// The worker `run` hosts in its own process (workflows, file and model activities). It is made
// while the client connects, and polls before the batch starts.
import type { NativeConnection } from '@temporalio/worker';
import { connectWorker, type TemporalTarget } from './connection';
import type { Project } from './project';

export interface LocalWorker {
  /** Also the client's connection in `run`: a batch started on it is started eagerly (its first
   * workflow task comes back with the start and runs here without a round trip to the queue). */
  connection: NativeConnection;
  /** Start polling; `done` resolves when every worker has shut down. */
  run(): { done: Promise<void>; stop: () => void };
  close(): Promise<void>;
}

export async function createLocalWorker(target: TemporalTarget, project: Project): Promise<LocalWorker> {
  // The worker module (the SDK's native worker) loads only for a run that hosts a worker.
  const { createWorkers, installQuietRuntime, runWorkers } = require('../worker/workers') as typeof import('../worker/workers');
  installQuietRuntime();
  const { payloadCodec } = require('./payload-key') as typeof import('./payload-key');
  const codec = await payloadCodec(project.ref.root, { onForged: 'mark' });
  const connection = await connectWorker(target);
  try {
    const workers = await createWorkers({
      connection,
      namespace: target.namespace,
      queues: project.queues,
      root: project.ref.root,
      ollamaUrl: project.config.ollama.url,
      files: true,
      llm: true,
      llmCapacity: project.config.ollama.parallel,
      codec,
    });
    return { connection, run: () => runWorkers(workers), close: () => connection.close() };
  } catch (e) {
    await connection.close().catch(() => undefined);
    throw e;
  }
}
