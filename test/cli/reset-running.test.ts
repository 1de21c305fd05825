// `reset` while a batch runs would be overwritten by the jobs' own status writes: it is refused,
// with what to do (held-out probe of issue 17).
import { waitFor } from '../support/harness';
import { OllamaTestServer } from '../support/ollama-test-server';
import { runCli, spawnCli } from '../support/processes';
import { makeProject, simpleJob } from '../support/project';
import { passingReplies } from '../support/replies';

let ollama: OllamaTestServer;
beforeAll(async () => {
  ollama = await new OllamaTestServer({ respond: passingReplies({ latencyMs: 1500 }) }).start();
});
afterAll(async () => {
  await ollama.stop();
});

test('reset during a running batch is refused; after the batch it resets', async () => {
  const env = { TEMPORAL_ADDRESS: process.env.WORKSPLIT_TEST_TEMPORAL_ADDRESS! };
  const root = makeProject({ ollamaUrl: ollama.url, jobs: { a: simpleJob('a'), b: simpleJob('b') } });
  const run = spawnCli(['--path', root, 'run'], env);
  await waitFor(() => ollama.calls().length > 0, 30_000, 'the first model call');
  const reset = await runCli(['--path', root, 'reset', 'all'], env);
  expect(reset.code).toBe(2);
  expect(reset.output).toMatch(/a batch is running for this project \(worksplit\/.*\/batch\); .* stop it with: worksplit cancel all/);
  expect(await run.exited).toBe(0);
  const after = await runCli(['--path', root, 'reset', 'all'], env);
  expect(after.output).toContain('Reset 2 jobs to created: a, b');
}, 120_000);
