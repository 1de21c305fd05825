// Waiting at Ollama is not a stall: requests beyond OLLAMA_NUM_PARALLEL wait in its FIFO queue
// without a byte, and the first one waits for the model to load. The stall watchdog counts only
// once an answer streams; the wait has first_byte_seconds; a full queue's 503 is retried.
import { forgetModelFacts } from '../../ollama-api/model-facts';
import { runBatch } from '../support/harness';
import { useServers } from '../support/servers';
import { makeProject, simpleJob } from '../support/project';
import { passingReplies } from '../support/replies';
import { runCli } from '../support/processes';

const t = useServers();

beforeEach(() => {
  forgetModelFacts();
  t.ollama.unloadModel();
});

const jobs = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`j${i}`, simpleJob(`j${i}`)]));

test('calls queued behind one slot and a model load wait longer than stall_seconds and are never aborted', async () => {
  // 4 jobs at once against one slot: the last generation waits for a 2 s load and 3 answers of
  // ~0.8 s each, far beyond stall_seconds = 1.
  t.ollama.ollama = { numParallel: 1, loadMs: 2000 };
  t.ollama.respond = passingReplies({ latencyMs: 800 });
  const root = makeProject({ ollamaUrl: t.ollama.url, jobs: jobs(4), ollamaToml: 'stall_seconds = 1', toml: '[batch]\nmax_concurrent = 4\n' });
  const r = await runBatch(t.h, root, { llmCapacity: 4 });
  expect(r.totals.passed).toBe(4);
  const calls = t.ollama.calls();
  expect(calls.filter((c) => c.aborted)).toEqual([]);
  expect(calls).toHaveLength(8);
  expect(Math.max(...calls.map((c) => c.waitedMs ?? 0))).toBeGreaterThan(1000);
  expect(t.ollama.maxRunning).toBe(1);
}, 90_000);

test('a wait beyond first_byte_seconds is abandoned and retried; the job passes once the model is loaded', async () => {
  t.ollama.ollama = { numParallel: 1, loadMs: 2500 };
  t.ollama.respond = passingReplies();
  const root = makeProject({ ollamaUrl: t.ollama.url, jobs: jobs(1), ollamaToml: 'first_byte_seconds = 1' });
  const r = await runBatch(t.h, root);
  expect(r.totals.passed).toBe(1);
  const calls = t.ollama.calls();
  expect(calls[0].abortedWhileWaiting).toBe(true);
  expect(calls.filter((c) => c.completed && c.status === 200)).toHaveLength(2);
}, 90_000);

test('a full load queue answers 503 "server busy"; the call asks again later and no job fails', async () => {
  // OLLAMA_MAX_QUEUE counts requests waiting for the model to load: while it loads, one waits
  // and the others are refused.
  t.ollama.ollama = { numParallel: 1, maxQueue: 1, loadMs: 1000 };
  t.ollama.respond = passingReplies({ latencyMs: 400 });
  const root = makeProject({ ollamaUrl: t.ollama.url, jobs: jobs(4), toml: '[batch]\nmax_concurrent = 4\n' });
  const r = await runBatch(t.h, root, { llmCapacity: 4 });
  expect(r.totals.passed).toBe(4);
  expect(t.ollama.calls().filter((c) => c.status === 503).length).toBeGreaterThan(0);
}, 90_000);

test('run sends [ollama] parallel calls at once (default 1), says so, and raising it fills more slots', async () => {
  t.ollama.ollama = { numParallel: 2 };
  t.ollama.respond = passingReplies({ latencyMs: 300 });
  const env = { TEMPORAL_ADDRESS: process.env.WORKSPLIT_TEST_TEMPORAL_ADDRESS! };
  const one = makeProject({ ollamaUrl: t.ollama.url, jobs: jobs(4), toml: '[batch]\nmax_concurrent = 4\n' });
  const first = await runCli(['--path', one, 'run'], env);
  expect(first.code).toBe(0);
  expect(first.output).toContain(`Model calls: 1 at a time on ${t.ollama.url} ([ollama] parallel; match the server's OLLAMA_NUM_PARALLEL)`);
  expect(t.ollama.maxInFlight).toBe(1);

  t.ollama.resetStats();
  const two = makeProject({ ollamaUrl: t.ollama.url, jobs: jobs(4), ollamaToml: 'parallel = 2', toml: '[batch]\nmax_concurrent = 4\n' });
  const second = await runCli(['--path', two, 'run'], env);
  expect(second.code).toBe(0);
  expect(t.ollama.maxInFlight).toBe(2);
  expect(t.ollama.calls().filter((c) => c.aborted)).toEqual([]);
}, 120_000);
