// Crashes: `worksplit run` (worker in-process) is killed with SIGKILL at several points and run
// again; it attaches to the same batch and finishes it. All the while, the status file is valid
// JSON whenever read, and no output file is ever half-written.
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseStatusFile } from '../../core/status';
import { OllamaTestServer, RecordedRequest } from '../support/ollama-test-server';
import { Spawned, runCli, spawnCli } from '../support/processes';
import { makeProject, simpleJob } from '../support/project';
import { block, contentFor, isVerification, jobOf } from '../support/replies';

let ollama: OllamaTestServer;
const spawned: Spawned[] = [];
beforeAll(async () => {
  ollama = await new OllamaTestServer().start();
});
afterAll(async () => {
  for (const s of spawned) s.child.kill('SIGKILL');
  await ollama.stop();
});

// Each output is long, so a torn write would be visible.
const fullContent = (id: string) => `${contentFor(id)}\n${'line of generated code\n'.repeat(400)}`.trimEnd();

test('kill -9 during generation, after a generation, during verification and at random moments: run again finishes the batch', async () => {
  const ids = Array.from({ length: 10 }, (_, i) => `c${i}`);
  let onCall: (req: RecordedRequest) => void = () => undefined;
  ollama.respond = (req) => {
    onCall(req);
    const id = jobOf(req);
    if (isVerification(req)) return { content: 'PASS', latencyMs: 150 };
    return { content: block(`out/${id}.txt`, fullContent(id)), chunks: 60, tokenDelayMs: 8 };
  };
  const root = makeProject({ ollamaUrl: ollama.url, jobs: Object.fromEntries(ids.map((id) => [id, simpleJob(id)])), toml: '\n[batch]\nmax_concurrent = 3\n' });
  const env = { TEMPORAL_ADDRESS: process.env.WORKSPLIT_TEST_TEMPORAL_ADDRESS! };
  const statusFile = path.join(root, 'jobs/_jobstatus.json');

  // Poll the status file and every output the whole time.
  let reads = 0;
  let polling = true;
  const problems: string[] = [];
  const poller = (async () => {
    while (polling) {
      if (existsSync(statusFile)) {
        try {
          parseStatusFile(readFileSync(statusFile, 'utf8'));
          reads++;
        } catch (e) {
          problems.push(`status file unreadable: ${(e as Error).message}`);
        }
      }
      for (const id of ids) {
        const p = path.join(root, 'out', `${id}.txt`);
        if (existsSync(p) && readFileSync(p, 'utf8') !== `${fullContent(id)}\n`) problems.push(`out/${id}.txt is incomplete`);
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  })();

  const killWhen = async (what: string, trigger: (req: RecordedRequest) => boolean, delayMs = 0) => {
    const run = spawnCli(['--path', root, 'run', '-q'], env);
    spawned.push(run);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`never saw: ${what}`)), 60_000);
      onCall = (req) => {
        if (!trigger(req)) return;
        onCall = () => undefined;
        clearTimeout(timer);
        setTimeout(() => {
          run.child.kill('SIGKILL');
          resolve();
        }, delayMs);
      };
    });
    await run.exited;
  };
  const gens = () => ollama.calls().filter((c) => !isVerification(c));
  // 1. while a generation streams
  await killWhen('a generation', (r) => !isVerification(r), 100);
  // 2. right after a generation completed, before its files are written
  const completedBefore = gens().filter((c) => c.completed).length;
  await killWhen('a completed generation', (r) => !isVerification(r) && gens().filter((c) => c.completed).length > completedBefore, 0);
  // 3. during a verification
  await killWhen('a verification', (r) => isVerification(r), 50);
  // 4-6. at moments that hit status writes, file writes and workflow tasks by chance
  for (const delay of [37, 113, 251]) await killWhen(`any call (+${delay} ms)`, () => true, delay);

  const final = await runCli(['--path', root, 'run'], env);
  polling = false;
  await poller;
  expect(problems).toEqual([]);
  expect(reads).toBeGreaterThan(20);
  expect(final.code).toBe(0);
  expect(final.output).toMatch(/Attached to the running batch|Batch done: 10 passed/);
  const entries = parseStatusFile(readFileSync(statusFile, 'utf8'));
  expect(entries.map((e) => [e.id, e.status])).toEqual(ids.map((id) => [id, 'pass']));
  for (const id of ids) expect(readFileSync(path.join(root, 'out', `${id}.txt`), 'utf8')).toBe(`${fullContent(id)}\n`);
  // No job ended with two results: one final status each, one batch.
  const summary = JSON.parse((await runCli(['--path', root, 'status', '--json'], env)).output);
  expect(summary.totals).toMatchObject({ total: 10, passed: 10, failed: 0 });
}, 300_000);
