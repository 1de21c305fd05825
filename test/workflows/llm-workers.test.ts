// Workers on many machines: two Ollama servers, each behind its own `worksplit worker --llm-only`
// process with capacity 2; the batch at max_concurrent 4 uses both, neither above 2 at once.
import { Harness, connectTestServer, startBatch, startWorkers, waitFor } from '../support/harness';
import { OllamaTestServer } from '../support/ollama-test-server';
import { Spawned, spawnCli } from '../support/processes';
import { makeProject, simpleJob } from '../support/project';
import { passingReplies } from '../support/replies';

let h: Harness;
const servers: OllamaTestServer[] = [];
const spawned: Spawned[] = [];
beforeAll(async () => {
  h = await connectTestServer();
});
afterAll(async () => {
  for (const s of spawned) s.child.kill('SIGKILL');
  for (const s of servers) await s.stop();
  await h.close();
});

test('two --llm-only workers with capacity 2 share a batch at max_concurrent 4', async () => {
  for (let i = 0; i < 2; i++) servers.push(await new OllamaTestServer({ respond: passingReplies({ latencyMs: 250 }) }).start());
  const ids = Array.from({ length: 12 }, (_, i) => `j${String(i).padStart(2, '0')}`);
  // The job config names an Ollama nobody listens on: each LLM worker uses its own --url.
  const root = makeProject({ ollamaUrl: 'http://127.0.0.1:9', jobs: Object.fromEntries(ids.map((id) => [id, simpleJob(id)])), toml: '\n[batch]\nmax_concurrent = 4\n' });
  for (const s of servers) {
    const w = spawnCli(['--path', root, 'worker', '--llm-only', '--llm-capacity', '2', '--url', s.url], { TEMPORAL_ADDRESS: h.address });
    spawned.push(w);
    await waitFor(() => w.output().includes('Worker connected'), 30_000, 'LLM worker start');
  }
  const files = await startWorkers(h, root, { llm: false });
  try {
    const { handle } = await startBatch(h, root);
    const result = await handle.result();
    expect(result.totals).toMatchObject({ total: 12, passed: 12 });
  } finally {
    await files.stop();
  }
  for (const s of servers) {
    expect(s.calls().length).toBeGreaterThan(0);
    expect(s.maxInFlight).toBeLessThanOrEqual(2);
  }
  expect(servers[0].calls().length + servers[1].calls().length).toBe(24);
  expect(Math.max(servers[0].maxInFlight, servers[1].maxInFlight)).toBe(2);
});
