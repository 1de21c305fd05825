// Workflow inputs are checked on the worker (issue 17, item 6): anyone who can reach the
// Temporal server can start a workflow with any input, as `temporal workflow execute` would.
// The worker acts only on the project it serves and runs only that project's own commands.
import { existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { loadProject, runSettings } from '../../client/project';
import type { JobInput } from '../../workflows/types';
import { JOB_WORKFLOW_TYPE, type JobWorkflow } from '../../workflows/messages';
import { startWorkers } from '../support/harness';
import { OllamaTestServer } from '../support/ollama-test-server';
import { makeProject, simpleJob } from '../support/project';
import { passingReplies } from '../support/replies';
import { useServers } from '../support/servers';

const t = useServers();

function marker(): string {
  return path.join(os.tmpdir(), `ws-pwned-${process.pid}-${Math.random().toString(36).slice(2)}`);
}

/** Start a job workflow the way a stranger with a Temporal client would, on `served`'s queue. */
async function strangersJob(served: string, input: { root: string; lintCommand: string }): Promise<string> {
  const project = await loadProject(served);
  const settings = runSettings(project.config);
  const job: JobInput = {
    project: { ...project.ref, root: input.root },
    queues: project.queues,
    settings: { ...settings, checks: { ...settings.checks, lintCommand: input.lintCommand } },
    jobId: 'a',
    dependencyOutputs: [],
    fixOnly: true,
  };
  const handle = await t.h.client.workflow.start<JobWorkflow>(JOB_WORKFLOW_TYPE, { workflowId: `stranger-${Math.random().toString(36).slice(2)}`, taskQueue: project.queues.project, args: [job] });
  const err = await handle.result().then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(WorkflowFailedError);
  let cause = err as { cause?: unknown; message: string };
  while (cause.cause) cause = cause.cause as typeof cause;
  return cause.message;
}

test('a workflow naming another folder as root is refused by the worker', async () => {
  const served = makeProject({ ollamaUrl: t.ollama.url, jobs: { a: simpleJob('a') }, toml: '\n[build]\nlint_command = "true"\n' });
  const other = makeProject({ ollamaUrl: t.ollama.url, jobs: { a: simpleJob('a') } });
  const file = marker();
  const w = await startWorkers(t.h, served);
  try {
    const reason = await strangersJob(served, { root: other, lintCommand: `touch ${file}` });
    expect(reason).toMatch(/this worker serves the project at .*; it refuses a request for /);
    expect(existsSync(file)).toBe(false);
  } finally {
    await w.stop();
  }
}, 60_000);

test('a command that is not in the project\'s worksplit.toml is refused, even for the served root', async () => {
  const served = makeProject({ ollamaUrl: t.ollama.url, jobs: { a: simpleJob('a') }, toml: '\n[build]\nlint_command = "true"\n' });
  const file = marker();
  const w = await startWorkers(t.h, served);
  try {
    const root = (await loadProject(served)).ref.root;
    const reason = await strangersJob(served, { root, lintCommand: `touch ${file}` });
    expect(reason).toMatch(/refused to run "touch .*": it is not a build \(with verify_build\), test \(with verify_tests\) or lint command of .*worksplit\.toml/);
    expect(existsSync(file)).toBe(false);
    // Smuggling shell syntax after the real lint command is refused too.
    const smuggled = await strangersJob(served, { root, lintCommand: `true; touch ${file};` });
    expect(smuggled).toMatch(/refused to run/);
    expect(existsSync(file)).toBe(false);
  } finally {
    await w.stop();
  }
}, 60_000);

/** A stranger's ordinary job workflow on the served project's queue, with settings of their own. */
async function strangersRun(served: string, change: (s: JobInput['settings']) => JobInput['settings']) {
  const project = await loadProject(served);
  const job: JobInput = { project: project.ref, queues: project.queues, settings: change(runSettings(project.config)), jobId: 'a', dependencyOutputs: [] };
  const handle = await t.h.client.workflow.start('jobWorkflow', { workflowId: `stranger-${Math.random().toString(36).slice(2)}`, taskQueue: project.queues.project, args: [job] });
  return handle.result().then(
    () => 'passed',
    (e: unknown) => {
      let cause = e as { cause?: unknown; message: string };
      while (cause.cause) cause = cause.cause as typeof cause;
      return cause.message;
    },
  );
}

test("a workflow naming another Ollama gets the worker's own: the project's files never reach the stranger's server", async () => {
  t.ollama.respond = passingReplies();
  const strangers = await new OllamaTestServer({ respond: passingReplies() }).start();
  const served = makeProject({ ollamaUrl: t.ollama.url, jobs: { a: simpleJob('a') }, files: { 'src/secret.ts': 'SECRET_API_KEY' } });
  const w = await startWorkers(t.h, served);
  try {
    const outcome = await strangersRun(served, (s) => ({ ...s, llm: { ...s.llm, url: strangers.url } }));
    expect(outcome).toBe('passed');
    expect(strangers.requests).toHaveLength(0);
    expect(t.ollama.calls().length).toBeGreaterThan(0);
  } finally {
    await w.stop();
    await strangers.stop();
  }
}, 60_000);

test("a workflow turning on a build the project's owner left off is refused: the switch comes from worksplit.toml", async () => {
  t.ollama.respond = passingReplies();
  const file = marker();
  const served = makeProject({ ollamaUrl: t.ollama.url, jobs: { a: simpleJob('a') }, toml: `\n[build]\nbuild_command = "touch ${file}"\nverify_build = false\n` });
  const w = await startWorkers(t.h, served);
  try {
    const outcome = await strangersRun(served, (s) => ({ ...s, checks: { ...s.checks, buildCommand: `touch ${file}`, verifyBuild: true } }));
    expect(outcome).toMatch(/refused to run "touch .*": it is not a build \(with verify_build\)/);
    expect(existsSync(file)).toBe(false);
  } finally {
    await w.stop();
  }
}, 60_000);
