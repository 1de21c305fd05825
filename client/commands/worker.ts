// `worksplit worker`: a standalone worker. By default it serves this project (workflows and file
// activities) and model calls; --llm-only serves only model calls (any machine next to an
// Ollama server), --files-only only the project.
import { connectWorker, resolveTarget } from '../connection';
import { Output, UsageError } from '../output';
import { ollamaUrlProblem } from '../../core/shown';
import { loadProject } from '../project';
import { createWorkers, installQuietRuntime, runWorkers } from '../../worker/workers';

export interface WorkerOptions {
  path: string;
  llmOnly?: boolean;
  filesOnly?: boolean;
  /** Model calls at once: the Ollama server's parallel capacity. */
  llmCapacity?: number;
  /** The Ollama this worker's model calls go to (overrides the job's config). */
  url?: string;
}

export async function workerCommand(opts: WorkerOptions, out: Output): Promise<number> {
  if (opts.llmOnly && opts.filesOnly) throw new UsageError('--llm-only and --files-only exclude each other');
  const badUrl = opts.url !== undefined ? ollamaUrlProblem(opts.url) : undefined;
  if (badUrl) throw new UsageError(`--url: ${badUrl}`);
  const project = await loadProject(opts.path);
  project.warnings.forEach((w) => out.warn(w));
  const target = (await resolveTarget(project, { start: true }))!;
  installQuietRuntime();
  const connection = await connectWorker(target);
  const capacity = opts.llmCapacity ?? project.config.ollama.parallel;
  const workers = await createWorkers({
    connection,
    namespace: target.namespace,
    queues: project.queues,
    root: project.ref.root,
    files: !opts.llmOnly,
    llm: !opts.filesOnly,
    llmCapacity: capacity,
    ollamaUrl: opts.url ?? project.config.ollama.url,
  });
  const running = runWorkers(workers);
  const serving = [!opts.llmOnly ? `project queue ${project.queues.project}` : '', !opts.filesOnly ? `LLM queue ${project.queues.llm} (${capacity} at once)` : ''].filter(Boolean);
  out.line(`Worker connected to ${target.address}, serving ${serving.join(' and ')}. Ctrl-C stops it.`);
  const stop = () => running.stop();
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  await running.done;
  await connection.close();
  out.line('Worker stopped.');
  return 0;
}
