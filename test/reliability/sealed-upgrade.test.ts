// A batch an earlier worksplit started has plain payloads (issue 24, item 1). Its workers would
// now accept only sealed ones, and accepting plain ones would accept a stranger's plain answers
// too: `run` does not take part in it and names what to do; `cancel all` still ends it, and the
// next run seals everything.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { batchWorkflowId } from '../../core/ids';
import { PROJECT_KEY } from '../../core/search-attributes';
import { loadProject, runSettings } from '../../client/project';
import type { BatchInput } from '../../workflows/types';
import { OllamaTestServer } from '../support/ollama-test-server';
import { runCli } from '../support/processes';
import { makeProject, simpleJob } from '../support/project';
import { passingReplies } from '../support/replies';

let ollama: OllamaTestServer;
let root: string | undefined;
const ENV = { TEMPORAL_ADDRESS: '' };

beforeAll(async () => {
  ollama = await new OllamaTestServer().start();
});
afterAll(async () => {
  if (root) await runCli(['--path', root, 'server', 'stop'], ENV);
  await ollama.stop();
});

test('run names cancel all for a batch an earlier version started with plain payloads; after it, the batch runs sealed', async () => {
  ollama.respond = passingReplies();
  root = makeProject({ ollamaUrl: ollama.url, jobs: { one: simpleJob('one') } });
  expect((await runCli(['--path', root, 'server', 'start'], ENV)).code).toBe(0);
  const { address } = JSON.parse(readFileSync(path.join(root, '.worksplit', 'server.json'), 'utf8'));
  // The batch as an earlier version started it: plain payloads (no worker runs it here).
  const project = await loadProject(root);
  const connection = await Connection.connect({ address });
  try {
    const input: BatchInput = { project: project.ref, queues: project.queues, settings: runSettings(project.config), selection: { resume: false, rerun: false }, searchAttributes: true };
    await new Client({ connection }).workflow.start('batchWorkflow', { workflowId: batchWorkflowId(project.ref.key), taskQueue: project.queues.project, args: [input], typedSearchAttributes: [{ key: PROJECT_KEY, value: project.ref.key }] });
  } finally {
    await connection.close();
  }

  const refused = await runCli(['--path', root, 'run'], ENV);
  expect(refused.code).toBe(2);
  expect(refused.output).toContain("the running batch was started by an earlier worksplit, before payloads were sealed with the project's key");
  expect(refused.output).toContain(`worksplit --path ${root} cancel all, then run again: worksplit --path ${root} run --resume`);

  const cancel = await runCli(['--path', root, 'cancel', 'all', '--wait', '2'], ENV);
  expect(cancel.code).toBe(0);

  const run = await runCli(['--path', root, 'run', '--resume'], ENV);
  expect(run.code).toBe(0);
  expect(readFileSync(path.join(root, 'out', 'one.txt'), 'utf8')).toContain('generated for one');
}, 120_000);
