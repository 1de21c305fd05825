// Workers on many machines: two Ollama servers, each behind its own `worksplit worker --llm-only`
// process with capacity 2; the batch at max_concurrent 4 uses both, neither above 2 at once.
import * as path from 'node:path';
import { Client } from '@temporalio/client';
import { payloadCodec } from '../../client/payload-key';
import { sealedDataConverter } from '../../worker/payload-codec';
import { Harness, connectTestServer, startBatch, startWorkers, waitFor } from '../support/harness';
import { OllamaTestServer } from '../support/ollama-test-server';
import { Spawned, runCli, spawnCli } from '../support/processes';
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
  const queuePrefix = `llmw${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const root = makeProject({ ollamaUrl: 'http://127.0.0.1:9', jobs: Object.fromEntries(ids.map((id) => [id, simpleJob(id)])), toml: '\n[batch]\nmax_concurrent = 4\n', queuePrefix });
  // The LLM workers run on other machines: a folder with the same worksplit.toml settings but not
  // the checkout. They need the project's payload key, handed over explicitly (docs/workers.md),
  // and make none of their own.
  const elsewhere = makeProject({ ollamaUrl: 'http://127.0.0.1:9', jobs: {}, queuePrefix });
  const keyless = await runCli(['--path', elsewhere, 'worker', '--llm-only', '--url', servers[0].url], { TEMPORAL_ADDRESS: h.address });
  expect(keyless.code).toBe(2);
  expect(keyless.output).toContain("this worker needs the project's payload key: copy .worksplit/payload.key from the project's machine and pass --key-file FILE");
  const workerCodec = await payloadCodec(root, { onForged: 'mark' });
  const keyFile = path.join(root, '.worksplit', 'payload.key');
  for (const s of servers) {
    const w = spawnCli(['--path', elsewhere, 'worker', '--llm-only', '--llm-capacity', '2', '--url', s.url, '--key-file', keyFile], { TEMPORAL_ADDRESS: h.address });
    spawned.push(w);
    await waitFor(() => w.output().includes('Worker connected'), 30_000, 'LLM worker start');
  }
  const files = await startWorkers(h, root, { llm: false, codec: workerCodec });
  try {
    const client = new Client({ connection: h.client.connection, dataConverter: sealedDataConverter(await payloadCodec(root, { onForged: 'throw' })) });
    const { handle } = await startBatch({ ...h, client }, root);
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
