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

/** The job workflow's first input payload as the server holds it (sealed), in the codec
 * endpoint's JSON form, read through the UI's own API like any visitor could. */
async function sealedInputOf(uiUrl: string, workflowId: string): Promise<{ metadata: Record<string, string>; data: string }> {
  const res = await fetch(`${uiUrl}/api/v1/namespaces/default/workflows/${encodeURIComponent(workflowId)}/history?maximumPageSize=1`);
  const body = (await res.json()) as { history: { events: Array<{ workflowExecutionStartedEventAttributes: { input: { payloads: Array<{ metadata: Record<string, string>; data: string }> } } }> } };
  const p = body.history.events[0].workflowExecutionStartedEventAttributes.input.payloads[0];
  expect(Buffer.from(p.metadata.encoding, 'base64').toString()).toBe('binary/encrypted');
  return p;
}

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
  // Payloads are sealed with the project's key (issue 24): the UI shows them through the codec
  // endpoint, for a browser that opened the address `ui` prints (its secret is in a 0600 file).
  const login = /to read inputs and results in this browser.*: (\S+)/.exec(ui.output)![1];
  const token = readFileSync(path.join(root, '.worksplit', 'ui.token'), 'utf8').trim();
  expect(login).toContain(token);

  // Anyone on the machine can load the UI and learn the endpoint's address from it; without the
  // owner's cookie the endpoint decodes nothing.
  const settings = await (await fetch(`${uiUrl}/api/v1/settings`)).json() as { Codec: { Endpoint: string } };
  expect(settings.Codec.Endpoint).toBe(`${uiUrl}/worksplit-codec`);
  expect(settings.Codec.Endpoint).not.toContain(token);
  const sealed = await sealedInputOf(uiUrl, `worksplit/${key}/job/beta`);
  const stranger = await fetch(`${settings.Codec.Endpoint}/decode`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-namespace': 'default' }, body: JSON.stringify({ payloads: [sealed] }) });
  expect(stranger.status).toBe(403);
  expect(await stranger.text()).not.toContain('beta');
  const wrongCookie = await fetch(`${settings.Codec.Endpoint}/decode`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: `worksplit-ui-x=${'0'.repeat(64)}` }, body: JSON.stringify({ payloads: [sealed] }) });
  expect(wrongCookie.status).toBe(403);
  expect((await fetch(`${uiUrl}/worksplit-login/${'0'.repeat(64)}`, { redirect: 'manual' })).status).toBe(403);

  // A browser that has not signed in sees the job's input sealed: no summary, no project. (One
  // page for both views: the npm Chromium runs as one process, where a second browser context's
  // requests do not carry its own cookies.)
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`${uiUrl}/namespaces/default/workflows/${encodeURIComponent(`worksplit/${key}/job/beta`)}`);
  await page.getByText(/^completed$/i).first().waitFor({ timeout: 30_000 });
  // The endpoint refused it; the input is the ciphertext, the summaries are not there.
  await page.getByText('Codec Server could not connect').first().waitFor({ state: 'attached', timeout: 30_000 });
  await waitFor(async () => (await page.innerText('body')).includes(sealed.data.slice(0, 40)), 30_000, 'the sealed input on the page');
  const seen = await page.innerText('body');
  expect(seen).not.toContain(`"key": "${key}"`);
  expect(seen).not.toContain('"out/beta.txt"');
  expect(seen).not.toContain('generate out/beta.txt with qwen-32k:latest');
  await page.screenshot({ path: path.join(ARTIFACTS, 'web-ui-job-sealed.png'), fullPage: true });

  // Signed in: the browser holds the cookie the endpoint requires.
  await page.goto(login);
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
  // The job's input and result, decoded: its project and the file it wrote.
  await waitFor(async () => {
    const text = await page.innerText('body');
    return text.includes(`"key": "${key}"`) && text.includes('"out/beta.txt"');
  }, 30_000, 'the decoded input and result');
  expect(await page.innerText('body')).not.toContain('Codec Server could not connect');
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
}, 240_000);
