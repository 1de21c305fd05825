// What a person sees: after a batch on the embedded server, the Temporal Web UI (in headless
// Chromium from npm, driven by playwright-core: test/support/browser.ts) lists the batch and its
// jobs under the project's search attribute filter, and a job's page shows its summary and final
// status. Screenshots are kept in test-artifacts/.
import { mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Browser } from 'playwright-core';
import { launchChromium } from '../support/browser';
import { projectRef } from '../../client/project';
import { projectListUrl } from '../../client/commands/ui';
import { OllamaTestServer } from '../support/ollama-test-server';
import { runCli } from '../support/processes';
import { waitFor } from '../support/harness';
import { makeProject, simpleJob } from '../support/project';
import { passingReplies } from '../support/replies';

const ARTIFACTS = path.join(__dirname, '..', '..', 'test-artifacts');
let ollama: OllamaTestServer;
let browser: Browser;
let root: string;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  ollama = await new OllamaTestServer().start();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  if (root) await runCli(['--path', root, 'server', 'stop'], { TEMPORAL_ADDRESS: '' });
  await ollama.stop();
});

test('the Web UI lists the batch and its jobs by WorkSplitProject, and shows a job\'s summary and status', async () => {
  ollama.respond = passingReplies();
  root = makeProject({ ollamaUrl: ollama.url, jobs: { alpha: simpleJob('alpha'), beta: simpleJob('beta', { depends_on: ['alpha'] }) } });
  const run = await runCli(['--path', root, 'run'], { TEMPORAL_ADDRESS: '' });
  expect(run.code).toBe(0);
  const uiUrl = JSON.parse(readFileSync(path.join(root, '.worksplit', 'server.json'), 'utf8')).uiUrl as string;
  const key = projectRef(root).key;

  const ui = await runCli(['--path', root, 'ui'], { TEMPORAL_ADDRESS: '' });
  expect(ui.output).toContain(`batch: ${uiUrl}/namespaces/default/workflows/worksplit%2F${encodeURIComponent(key)}%2Fbatch`);

  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(projectListUrl(uiUrl, 'default', key));
  for (const id of [`worksplit/${key}/batch`, `worksplit/${key}/job/alpha`, `worksplit/${key}/job/beta`]) {
    await page.getByText(id, { exact: true }).first().waitFor({ timeout: 30_000 });
  }
  await page.screenshot({ path: path.join(ARTIFACTS, 'web-ui-batch-list.png'), fullPage: true });

  await page.goto(`${uiUrl}/namespaces/default/workflows/${encodeURIComponent(`worksplit/${key}/job/beta`)}`);
  // The final status badge and the model calls, named by their summaries, on the timeline.
  await page.getByText(/^completed$/i).first().waitFor({ timeout: 30_000 });
  await page.getByText('verify out/beta.txt with qwen-32k:latest').first().waitFor({ timeout: 30_000 });
  await page.getByText('generate out/beta.txt with qwen-32k:latest').first().waitFor({ timeout: 30_000 });
  await page.screenshot({ path: path.join(ARTIFACTS, 'web-ui-job.png'), fullPage: true });
  // The job's own summary (what it is and what it waited for) is its user metadata.
  await page.getByText('User Metadata', { exact: true }).first().click();
  // The UI renders the summary as markdown inside a sandboxed frame.
  const shown = (text: string) => async () => {
    for (const frame of page.frames()) if (await frame.getByText(text).count().catch(() => 0)) return true;
    return false;
  };
  await waitFor(shown('job beta (after alpha)'), 30_000, 'the job summary in the User Metadata tab');
  await waitFor(shown('replace out/beta.txt'), 30_000, 'the job details (mode and outputs)');
  await page.screenshot({ path: path.join(ARTIFACTS, 'web-ui-job-summary.png'), fullPage: true });

  // The batch's own summary: jobs, groups, concurrency and model.
  await page.goto(`${uiUrl}/namespaces/default/workflows/${encodeURIComponent(`worksplit/${key}/batch`)}`);
  await page.getByText(/^completed$/i).first().waitFor({ timeout: 30_000 });
  await page.getByText('User Metadata', { exact: true }).first().click();
  await waitFor(shown('2 jobs, 2 groups, max 4 at once, qwen-32k:latest'), 30_000, 'the batch summary');
  await page.screenshot({ path: path.join(ARTIFACTS, 'web-ui-batch-summary.png'), fullPage: true });
  await page.close();
}, 120_000);
