// `worksplit worker`: a standalone worker. By default it serves this project (workflows and file
// activities) and model calls; --llm-only serves only model calls (any machine next to an
// Ollama server), --files-only only the project.
import { connectWorker, resolveTarget } from '../connection';
import { prepareTarget } from '../remote-server';
import { Output, UsageError } from '../output';
import { ollamaUrlProblem } from '../../core/shown';
import { loadProject } from '../project';
import { createWorkers, installQuietRuntime, runWorkers } from '../../worker/workers';
import { AesGcmPayloadCodec } from '../../worker/payload-codec';
import { KEY_ENV, KEY_FILE, payloadKey } from '../payload-key';

export interface WorkerOptions {
  path: string;
  llmOnly?: boolean;
  filesOnly?: boolean;
  /** Model calls at once: the Ollama server's parallel capacity. */
  llmCapacity?: number;
  /** The Ollama this worker's model calls go to (overrides the job's config). */
  url?: string;
  /** The project's payload key, copied from its .worksplit/payload.key (client/payload-key.ts). */
  keyFile?: string;
}

export async function workerCommand(opts: WorkerOptions, out: Output): Promise<number> {
  if (opts.llmOnly && opts.filesOnly) throw new UsageError('--llm-only and --files-only exclude each other');
  const badUrl = opts.url !== undefined ? ollamaUrlProblem(opts.url) : undefined;
  if (badUrl) throw new UsageError(`--url: ${badUrl}`);
  const project = await loadProject(opts.path);
  project.warnings.forEach((w) => out.warn(w));
  const target = (await resolveTarget(project, { start: true }))!;
  // On a server worksplit did not start, a missing namespace is named with the command that makes it.
  if (!target.embedded) await prepareTarget(target, { searchAttributes: false });
  // The project's key: --key-file, WORKSPLIT_PAYLOAD_KEY, or this checkout's own. An LLM worker
  // for a server elsewhere makes none of its own: every payload would be sealed with a key the
  // project does not have, and none of its answers accepted.
  const key = await payloadKey(project.ref.root, { keyFile: opts.keyFile, create: target.embedded || !opts.llmOnly });
  if (!key) throw new UsageError(`this worker needs the project's payload key: copy ${KEY_FILE} from the project's machine and pass --key-file FILE (or its text in ${KEY_ENV}); see docs/workers.md`);
  const codec = new AesGcmPayloadCodec(key, { onForged: 'mark' });
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
    codec,
  });
  const running = runWorkers(workers);
  const serving = [!opts.llmOnly ? `project queue ${project.queues.project}` : '', !opts.filesOnly ? `LLM queue ${project.queues.llm} (${capacity} at once)` : ''].filter(Boolean);
  out.line(`Worker connected to ${target.address}, serving ${serving.join(' and ')}, payloads sealed with key ${codec.keyId}. Ctrl-C stops it.`);
  const stop = () => running.stop();
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  await running.done;
  await connection.close();
  out.line('Worker stopped.');
  return 0;
}
