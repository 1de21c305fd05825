// `worksplit run`: start (or attach to) the project's batch workflow, run a worker in-process,
// show progress, print the summary. Exit 0 only when every selected job passed.
import { randomUUID } from 'node:crypto';
import { printable, reasonLine } from '../../core/printable';
import type { Client } from '@temporalio/client';
import { waitsFor } from '../../core/graph';
import { blockedByInvalid } from '../../core/plan';
import { batchWorkflowId } from '../../core/ids';
import { PROJECT_KEY, STATUS_KEY } from '../../core/search-attributes';
import { listJobIds } from '../../project/jobs-folder';
import { statusStoreFor } from '../../project/status-store';
import { nothingToRun } from '../nothing-to-run';
import { shownUrl } from '../../core/shown';
import { effectiveConcurrency } from '../../core/schedule';
import { concurrentWriters } from '../../core/write-races';
import type { BatchInput, BatchProgress, BatchResult } from '../../workflows/types';
import { BATCH_WORKFLOW_TYPE, type BatchWorkflow, progressQuery } from '../../workflows/messages';
import { clientDataConverter, configuredTarget, connectClient, recordedTarget, resolveTarget, workflowUiUrl } from '../connection';
import { prepareTarget, uiHint } from '../remote-server';
import { startedUnsealed, unsealedBatchMessage } from '../sealed-batch';
import { type LocalWorker, createLocalWorker } from '../local-worker';
import { joinNewJobFiles, watchJobFiles } from '../batch-additions';
import { type History, batchForecast, earlierJobs } from '../forecast';
import { type Forecast, forecastLine } from '../../core/forecast';
import type { Deps } from '../../core/graph';
import { planFromProject } from '../../project/run-plan';
import { checkOllama } from '../ollama-health';
import { Output, UsageError, colors, plural, seconds } from '../output';
import { eventLine, watchProgress } from '../progress-view';
import { loadProject, runSettings } from '../project';
import { STUCK_TASK_ATTEMPTS, findStuck, releaseJobs, terminateAll, terminateBatch } from '../stuck-batch';

export interface RunOptions {
  path: string;
  job?: string;
  dryRun?: boolean;
  resume?: boolean;
  rerun?: boolean;
  model?: string;
  url?: string;
  timeout?: number;
  noStream?: boolean;
  stopOnFail?: boolean;
  maxConcurrent?: number;
  /** Do not run a worker here (another process or machine runs them). */
  worker?: boolean;
  /** Skip the Ollama health check (the LLM workers may be elsewhere). */
  healthCheck?: boolean;
  /** Per-job time limit in seconds. */
  jobTimeout?: number;
  /** Run exactly these jobs (retry --failed, fix-all). */
  ids?: string[];
  /** fix / fix-all: lint the jobs' outputs and let the model fix them. */
  fixOnly?: boolean;
  /** Join job files added or changed while the batch runs, until it ends. */
  watch?: boolean;
}

export async function runCommand(opts: RunOptions, out: Output): Promise<number> {
  const project = await loadProject(opts.path, {
    model: opts.model,
    url: opts.url,
    timeoutSeconds: opts.timeout,
    maxConcurrent: opts.maxConcurrent,
    stopOnFail: opts.stopOnFail,
    noStream: opts.noStream,
  });
  project.warnings.forEach((w) => out.warn(w));
  const { config, ref } = project;
  const ids = await listJobIds(ref.root);
  if (opts.job !== undefined && !ids.includes(opts.job)) throw new UsageError(`no job "${opts.job}" in jobs/ (jobs: ${ids.join(', ') || 'none'})`);
  const selection = { resume: !!opts.resume, rerun: !!opts.rerun, ...(opts.job !== undefined ? { only: opts.job } : {}), ...(opts.ids ? { ids: opts.ids } : {}) };

  if (opts.dryRun) return dryRun(ref.root, config.limits.max_context_files, selection, config.batch.max_concurrent, out, (jobs, deps) => plannedForecast(project, jobs, deps));

  const runWorker = opts.worker !== false;
  // With a server recorded as running, the local worker is made at once (its connection is the
  // check that the server answers), while the Ollama check and reading the jobs wait on another
  // process and the disk. It polls only once the batch is about to start.
  const health = runWorker && opts.healthCheck !== false ? handled(checkOllama(config.ollama.url, config.ollama.model)) : undefined;
  // What the batch will do, for its summary in the Web UI (the batch plans again itself), and
  // whether there is anything to do at all: with nothing selected and no batch to attach to, no
  // batch is started.
  const planned = handled(planFromProject(ref.root, config.limits.max_context_files, selection));
  const recorded = runWorker ? await recordedTarget(project) : undefined;
  // A server worksplit did not start: its namespace checked and the search attributes registered
  // where missing (client/remote-server.ts), before the worker polls it.
  const remote = configuredTarget(project);
  const ready = remote ? handled(prepareTarget(remote, { searchAttributes: config.temporal.search_attributes ?? true })) : undefined;
  const early = recorded ? handled(createLocalWorker(recorded, project)) : undefined;
  if (health) {
    const h = await health;
    if (!h.ok) throw new UsageError(h.message);
  }
  // A corrupt status file stops the run before anything starts, with its backup named (the run
  // would write it: the copy is saved now; a dry run only reads and saves none).
  const statuses = await statusStoreFor(ref.root).read({ backUpCorrupt: true });

  const prepared = await ready;
  if (prepared?.registered.length) out.line(`Registered the search attributes ${prepared.registered.join(', ')} in namespace "${remote!.namespace}" on ${remote!.address}.`);
  const earlyWorker = await early?.catch(() => undefined);
  // Otherwise the server is found, or the embedded one started, only now, once the checks passed.
  const target = earlyWorker ? recorded! : (await resolveTarget(project, { start: true }))!;
  const preview = await planned;
  const local = runWorker ? (earlyWorker ? Promise.resolve(earlyWorker) : handled(createLocalWorker(target, project))) : undefined;
  const { Client, WorkflowIdConflictPolicy } = require('@temporalio/client') as typeof import('@temporalio/client');
  // On the worker's connection when this process hosts the worker: one connection, and the batch
  // can start eagerly on it.
  const eager = local !== undefined;
  const client = local ? new Client({ connection: (await local).connection, namespace: target.namespace, dataConverter: await clientDataConverter(ref.root) }) : await connectClient(target, ref.root);
  const workflowId = batchWorkflowId(ref.key);
  if ((await batchRunning(client, workflowId)) && (await startedUnsealed(client, workflowId))) {
    if (!eager) await client.connection.close();
    throw new UsageError(unsealedBatchMessage(opts.path !== '.' ? ` --path ${opts.path}` : ''));
  }
  if (preview.selected.length === 0 && !(await batchRunning(client, workflowId))) {
    // The worker made for nothing never ran; the process exits after this.
    if (!eager) await client.connection.close();
    out.line(nothingToRun(selection, statuses.filter((e) => preview.allIds.includes(e.id))));
    return 0;
  }
  // Jobs run max_concurrent at a time, but their model calls take the server's slots in turn:
  // more calls would only wait in Ollama's own queue, where no byte tells waiting from a stall.
  if (runWorker && effectiveConcurrency(config.batch.max_concurrent) > config.ollama.parallel) {
    out.line(colors.dim(`Model calls: ${config.ollama.parallel} at a time on ${shownUrl(config.ollama.url)} ([ollama] parallel; match the server's OLLAMA_NUM_PARALLEL); other jobs wait their turn.`));
  }
  let running: ReturnType<LocalWorker['run']> | undefined;
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    out.line(colors.yellow(`\nStopping the local worker; model calls in flight are aborted. The batch keeps its state in Temporal.`));
    out.line(`Resume with: worksplit run${opts.path !== '.' ? ` --path ${opts.path}` : ''}`);
    running?.stop();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  try {
    // USE_EXISTING answers with the running batch when there is one; a token in the memo (set only
    // when an execution is created) tells whether this run created it or attached to another's.
    const token = randomUUID();
    const input: BatchInput = {
      project: ref,
      queues: project.queues,
      settings: runSettings(config),
      selection,
      ...(opts.jobTimeout ? { jobTimeoutSeconds: opts.jobTimeout } : {}),
      ...(opts.fixOnly ? { fixOnly: true } : {}),
      // On by default; a server without them registered needs [temporal] search_attributes = false.
      searchAttributes: config.temporal.search_attributes ?? true,
    };
    const start = () =>
      client.workflow.start<BatchWorkflow>(BATCH_WORKFLOW_TYPE, {
        workflowId,
        taskQueue: project.queues.project,
        args: [input],
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
        ...(eager ? { requestEagerStart: true } : {}),
        // The model, so later forecasts learn from batches of the same model (client/forecast.ts).
        memo: { startedBy: token, model: config.ollama.model },
        ...(input.searchAttributes ? { typedSearchAttributes: [{ key: PROJECT_KEY, value: ref.key }, { key: STATUS_KEY, value: 'running' }] } : {}),
        staticSummary: batchSummary(preview.groups, config.batch.max_concurrent, config.ollama.model),
        staticDetails: `project ${ref.root}; model ${config.ollama.model} at ${config.ollama.url}; max ${config.batch.max_concurrent || 'unlimited'} at once${config.batch.stop_on_fail ? '; stop on fail' : ''}`,
      });
    // The worker polls before the batch starts: a task that finds a poller waiting is handed over
    // at once, one that waits in the queue's backlog is picked up later (measured: ~1 s later on
    // the dev server).
    if (local) {
      running = (await local).run();
      if (interrupted) running.stop();
    }
    let handle = await start();
    let described = await handle.describe();
    let attached = described.memo?.startedBy !== token;
    if (attached) {
      // A batch (or job) whose workflow task fails on every attempt never ends by itself: end the
      // stuck part, with the reason, rather than wait on it forever.
      const stuck = await findStuck(client, handle);
      if (stuck.batch) {
        const jobs = await terminateBatch(client, handle, `worksplit run: the batch's workflow task failed ${STUCK_TASK_ATTEMPTS} or more times in a row; terminated to start a new batch`);
        await releaseJobs(ref, jobs, 'cancelled: its batch was stuck and terminated');
        out.warn(`the running batch ${workflowId} was stuck (its workflow task failed ${STUCK_TASK_ATTEMPTS}+ times in a row; see the Web UI): terminated it; starting a new one.`);
        handle = await start();
        described = await handle.describe();
        attached = described.memo?.startedBy !== token;
      } else if (stuck.jobs.length > 0) {
        await terminateAll(client, stuck.jobs, `worksplit run: the job's workflow task failed ${STUCK_TASK_ATTEMPTS} or more times in a row; terminated`);
        out.warn(`${plural(stuck.jobs.length, 'job workflow')} of the running batch ${stuck.jobs.length === 1 ? 'was' : 'were'} stuck (workflow task failing; see the Web UI) and terminated: ${stuck.jobs.join(', ')}`);
      }
    }
    if (attached && (opts.fixOnly || opts.ids)) {
      throw new UsageError(`a batch is already running for this project (${workflowId}); wait for it, or cancel it with: worksplit cancel all`);
    }
    out.line(attached ? `Attached to the running batch ${colors.bold(workflowId)} (started ${described.startTime.toISOString()}).` : `Started batch ${colors.bold(workflowId)}.`);
    const ui = workflowUiUrl(target, workflowId);
    if (ui) out.line(`Web UI: ${ui}`);
    else if (!target.embedded) out.line(colors.dim(`Web UI: ${uiHint(target)}`));
    // Job files written since the running batch planned join it (a run that started the batch
    // planned them all just now).
    if (attached && !opts.fixOnly) await joinNewJobFiles(handle, out);
    const watching = opts.watch && !opts.fixOnly ? watchJobFiles(ref.root, () => joinNewJobFiles(handle, out, true), out) : undefined;

    // What earlier batches with this model took, for the forecast; read while the batch starts.
    let history: History = { samples: [], batches: 0 };
    void earlierJobs(client, workflowId, config.ollama.model).then((h) => (history = h));
    const forecastOf = (p: BatchProgress) => batchForecast(p, history, config.ollama.parallel);
    const watcher = watchProgress(() => handle.query(progressQuery), out, { client, projectKey: ref.key, forecast: forecastOf });
    const result = await Promise.race([
      handle.result(),
      running ? running.done.then(() => (interrupted ? null : Promise.reject(new Error('the worker stopped unexpectedly')))) : new Promise<never>(() => undefined),
    ]);
    watcher.stop();
    watching?.close();
    if (result === null) return 130;
    watcher.flush(result);
    return printSummary(result, out);
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
    running?.stop();
    await running?.done.catch(() => undefined);
    await (await local?.catch(() => undefined))?.close().catch(() => undefined);
    if (!eager) await client.connection.close();
  }
}

const NOTHING_TO_RUN = 'No jobs to run: every job has run (use --rerun to run them again, --resume for stuck ones, or --job ID).';

/** The promise itself, marked as handled: it is awaited later, after others that may throw first
 * (an unhandled rejection would end the process with a different message). */
function handled<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

async function batchRunning(client: Client, workflowId: string): Promise<boolean> {
  try {
    return (await client.workflow.getHandle<BatchWorkflow>(workflowId).describe()).status.name === 'RUNNING';
  } catch (e) {
    const { WorkflowNotFoundError } = require('@temporalio/client') as typeof import('@temporalio/client');
    if (e instanceof WorkflowNotFoundError) return false;
    throw e;
  }
}

/** "12 jobs, 4 groups, max 4 at once, qwen3" */
function batchSummary(groups: string[][], maxConcurrent: number, model: string): string {
  const jobs = groups.flat().length;
  return `${plural(jobs, 'job')}, ${plural(groups.length, 'group')}, max ${maxConcurrent || 'unlimited'} at once, ${model}`;
}

/** The forecast of a batch not started yet: learned from earlier batches on the project's server,
 * when one runs (a dry run starts none). */
async function plannedForecast(project: Awaited<ReturnType<typeof loadProject>>, ids: string[], deps: Deps): Promise<Forecast | undefined> {
  const target = await resolveTarget(project, { start: false }).catch(() => undefined);
  if (!target) return undefined;
  const client = await connectClient(target, project.ref.root).catch(() => undefined);
  if (!client) return undefined;
  try {
    const history = await earlierJobs(client, batchWorkflowId(project.ref.key), project.config.ollama.model);
    const jobs = Object.fromEntries(ids.map((id) => [id, { state: 'waiting' as const }]));
    return batchForecast({ jobs, deps, maxConcurrent: project.config.batch.max_concurrent }, history, project.config.ollama.parallel);
  } finally {
    await client.connection.close();
  }
}

async function dryRun(
  root: string,
  maxContextFiles: number,
  selection: { resume: boolean; rerun: boolean; only?: string; ids?: string[] },
  maxConcurrent: number,
  out: Output,
  forecastOf: (ids: string[], deps: Deps) => Promise<Forecast | undefined>,
): Promise<number> {
  const plan = await planFromProject(root, maxContextFiles, selection);
  plan.warnings.forEach((w) => out.warn(w));
  // Jobs that need a job that cannot run would be skipped by the batch: shown as such.
  const blocked = blockedByInvalid(plan.deps, Object.keys(plan.invalid), plan.selected);
  // And jobs that need one outside the run whose last run failed (plan.blocked), with theirs.
  const failedBefore = blockedByInvalid(plan.deps, Object.keys(plan.blocked ?? {}), plan.selected);
  const skipped = (id: string) => blocked[id] !== undefined || plan.blocked?.[id] !== undefined || failedBefore[id] !== undefined;
  const groups = plan.groups.map((g) => g.filter((id) => !skipped(id))).filter((g) => g.length > 0);
  const runnable = groups.flat();
  out.line(`Dry run: ${plural(runnable.length, 'job')} would run in ${plural(groups.length, 'group')}, ${maxConcurrent ? `at most ${maxConcurrent}` : 'any number'} at once. Nothing was changed.`);
  const waits = waitsFor(plan.deps, plan.after);
  groups.forEach((g, i) => out.line(`  group ${i + 1}: ${g.map((id) => (waits[id].length > 0 ? `${id} (after ${waits[id].join(', ')})` : id)).join(', ')}`));
  for (const [id, reason] of Object.entries(plan.invalid)) out.line(`  ${colors.red('cannot run')} ${printable(id)}: ${reason}`);
  for (const [id, root] of Object.entries(blocked)) out.line(`  ${colors.yellow('would be skipped')} ${printable(id)}: needs ${printable(root)}, which cannot run`);
  for (const [id, reason] of Object.entries(plan.blocked ?? {})) out.line(`  ${colors.yellow('would be skipped')} ${printable(id)}: ${reasonLine(reason.replace(/^skipped: /, ''))}`);
  for (const [id, root] of Object.entries(failedBefore)) if (plan.blocked?.[id] === undefined) out.line(`  ${colors.yellow('would be skipped')} ${printable(id)}: needs ${printable(root)}, which would be skipped`);
  if (plan.stuckNotResumed.length > 0) out.line(`  ${plural(plan.stuckNotResumed.length, 'stuck job')} left out (use --resume): ${plan.stuckNotResumed.join(', ')}`);
  if (runnable.length > 0) {
    const f = await forecastOf(runnable, waits);
    out.line(f ? `Forecast: ${forecastLine(f)} (from ${f.basis})` : 'Forecast: none yet (no earlier batch of this project with this model on a running server to learn from).');
  }
  if (plan.selected.length === 0) out.line(`  ${nothingToRun(selection, (await statusStoreFor(root).read()).filter((e) => plan.allIds.includes(e.id)))}`);
  return Object.keys(plan.invalid).length > 0 ? 2 : 0;
}

function printSummary(r: BatchResult, out: Output): number {
  const t = r.totals;
  r.warnings.forEach((w) => out.warn(w));
  if (t.total === 0) {
    out.line(NOTHING_TO_RUN);
    return 0;
  }
  out.line();
  out.line(`${colors.bold('Batch done:')} ${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped, ${t.cancelled} cancelled (of ${t.total}).`);
  out.line(`Tokens: ${r.tokens.promptTokens} prompt + ${r.tokens.outputTokens} output in ${plural(r.tokens.calls, 'model call')}, ${seconds(r.tokens.modelMs)} model time.`);
  for (const [id, j] of Object.entries(r.jobs)) {
    if (j.state !== 'passed') out.line(`  ${eventLine(id, j).replace(` ${j.state}: `, ': ')}`);
  }
  const wrote = Object.entries(r.jobs).filter(([, j]) => j.outputs?.length);
  if (wrote.length > 0) out.line(`Files written (${wrote.reduce((n, [, j]) => n + j.outputs!.length, 0)}):`);
  for (const [id, j] of wrote) out.line(`  ${id}: ${j.outputs!.map((f) => printable(f)).join(', ')}`);
  for (const [id, j] of Object.entries(r.jobs)) for (const w of j.warnings ?? []) out.warn(`${id} ${printable(w)}`);
  for (const race of concurrentWriters(r.jobs)) {
    out.warn(`${printable(race.file)} was written by ${race.jobIds.join(' and ')} while both were running (a multi-file answer wrote a file the other job also writes); check it, or have one job read the other's file so they run in order`);
  }
  return t.passed === t.total ? 0 : 1;
}
