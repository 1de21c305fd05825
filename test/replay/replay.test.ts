// Replays recorded histories of representative batches (pass, retry, stop-on-fail, cancel)
// against today's workflow code: a change that would break batches already running fails here.
// Record new histories with `npm run record-histories` only for a deliberate, versioned change.
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';

const DIR = path.join(__dirname, 'histories');
const files = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();

try {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
} catch {
  // Installed already.
}

function histories() {
  return files.map((f) => ({ workflowId: f.replace(/\.json$/, ''), history: historyFromJSON(JSON.parse(readFileSync(path.join(DIR, f), 'utf8'))) }));
}

test('the recorded histories cover batch and job workflows of every scenario', () => {
  expect(files).toEqual(expect.arrayContaining(['pass.batch.json', 'retry.job-r.json', 'stop-on-fail.batch.json', 'stop-on-fail.job-later.json', 'cancel.batch.json', 'cancel.job-victim.json', 'jobstep-pass.job-a.json', 'startstep-pass.job-a.json']));
});

test('every recorded history replays without a determinism error', async () => {
  const results: Array<{ id: string; error?: unknown }> = [];
  for await (const r of Worker.runReplayHistories({ workflowBundle: { codePath: process.env.WORKSPLIT_WORKFLOW_BUNDLE! } }, histories())) {
    results.push({ id: r.workflowId, error: r.error });
  }
  expect(results).toHaveLength(files.length);
  expect(results.filter((r) => r.error).map((r) => `${r.id}: ${(r.error as Error).message}`)).toEqual([]);
});

test('the replay check does catch an incompatible change', async () => {
  // A batch workflow that plans differently from the recorded one must fail to replay.
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('./fixtures/changed-workflows'), logger: new DefaultLogger('ERROR') });
  const pass = histories().find((h) => h.workflowId === 'pass.batch')!;
  const results = [];
  for await (const r of Worker.runReplayHistories({ workflowBundle: { code } }, [pass])) results.push(r);
  expect(results[0].error).toBeDefined();
  expect((results[0].error as Error).name).toMatch(/DeterminismViolation/);
});
