// worksplit's model calls against a real Ollama 0.17.4 (tiny random-weight model, one token per
// byte, context_length 8192): the num_ctx it sends, Ollama's 400 for a prompt that does not fit,
// done_reason "length", and calls waiting in Ollama's one-slot queue without being taken for
// stalls. The model answers noise, so jobs end failed; what is asserted is how and why.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { forgetModelFacts } from '../../ollama-api/model-facts';
import { loadProject } from '../../client/project';
import { jobWorkflowId } from '../../core/ids';
import { Harness, connectTestServer, runBatch } from '../support/harness';
import { makeProject, simpleJob } from '../support/project';
import { RealOllama, startRealOllama } from '../support/real-ollama';

/** Every printable ASCII character as a stop sequence: a noise answer ends at once with
 * done_reason "stop", so a call completes normally and quickly. */
const STOP_AT_ANY_PRINTABLE = JSON.stringify(Array.from({ length: 94 }, (_, i) => String.fromCharCode(33 + i)));

let h: Harness;
let ollama: RealOllama | undefined;

beforeAll(async () => {
  h = await connectTestServer();
});
afterAll(async () => {
  await h?.close();
});
afterEach(async () => {
  await ollama?.stop();
  ollama = undefined;
  forgetModelFacts();
});

function project(o: { url: string; model: string; contextBytes: number; ollamaToml?: string; jobs?: string[]; toml?: string }) {
  const line = `${'c'.repeat(99)}\n`;
  return makeProject({
    ollamaUrl: o.url,
    model: o.model,
    jobs: Object.fromEntries((o.jobs ?? ['job']).map((id) => [id, simpleJob(id, { context_files: ['ctx/context.txt'] })])),
    files: { 'ctx/context.txt': line.repeat(Math.ceil(o.contextBytes / line.length)) },
    ollamaToml: o.ollamaToml,
    toml: `[limits]\nmax_output_lines = 50\nmax_prompt_tokens = 100000\nmax_context_lines = 10000\n${o.toml ?? ''}`,
  });
}

test('a prompt over Ollama\'s default 4096 tokens is read whole: worksplit asks for a larger num_ctx (after the real 400) and nothing is truncated', async () => {
  ollama = await startRealOllama();
  // ~5,000 bytes, so ~5,000 tokens with this vocabulary: over 4096, under the model's 8192. The
  // estimate (3 bytes a token) picks 4096 first; Ollama's 400 makes worksplit take 8192.
  const root = project({ url: ollama.url, model: ollama.model, contextBytes: 5000, ollamaToml: `options = { temperature = 1, seed = 7, stop = ${STOP_AT_ANY_PRINTABLE} }` });
  const r = await runBatch(h, root);
  // Noise is no code: the job fails for its answer, after the model read the whole prompt.
  expect(r.jobs.job.state).toBe('failed');
  expect(r.jobs.job.reason).not.toMatch(/context|num_ctx|length limit/);
  expect(r.jobs.job.tokens!.calls).toBeGreaterThanOrEqual(1);
  expect(r.jobs.job.tokens!.promptTokens / r.jobs.job.tokens!.calls).toBeGreaterThan(5000);
  expect(ollama.log()).not.toContain('truncating input prompt');
}, 240_000);

test('a prompt beyond the model maximum: the real 400 becomes ContextOverflow with the numbers, nothing written', async () => {
  ollama = await startRealOllama();
  const root = project({ url: ollama.url, model: ollama.model, contextBytes: 12_000 });
  const r = await runBatch(h, root);
  expect(r.jobs.job.state).toBe('failed');
  expect(r.jobs.job.reason).toMatch(/refused the prompt: the input length exceeds the context length .*do not fit in a context of 8192 tokens \(num_ctx\); the model's maximum is 8192/);
  expect(existsSync(path.join(root, 'out/job.txt'))).toBe(false);
  expect(ollama.log()).not.toContain('truncating input prompt');
}, 240_000);

test('an answer that runs into the end of the context stops with done_reason "length" and fails the job; nothing written', async () => {
  ollama = await startRealOllama();
  // num_predict = -1 (the user's, which wins): no bound but the context.
  const root = project({ url: ollama.url, model: ollama.model, contextBytes: 500, ollamaToml: 'options = { num_ctx = 2048, num_predict = -1, temperature = 1, seed = 3 }' });
  const r = await runBatch(h, root);
  expect(r.jobs.job.state).toBe('failed');
  expect(r.jobs.job.reason).toMatch(/was cut short at a length limit \(done_reason "length"; prompt \d+ \+ answer \d+ tokens, num_ctx 2048, model maximum 8192\)/);
  expect(existsSync(path.join(root, 'out/job.txt'))).toBe(false);
}, 240_000);

test('an answer that rambles on is stopped by Ollama at num_predict (max_output_lines x 10 tokens) and fails the job naming the limit; nothing written', async () => {
  ollama = await startRealOllama();
  const root = project({ url: ollama.url, model: ollama.model, contextBytes: 500, ollamaToml: 'options = { temperature = 1, seed = 3 }' });
  const r = await runBatch(h, root);
  expect(r.jobs.job.state).toBe('failed');
  expect(r.jobs.job.reason).toMatch(/reached its length limit, 500 tokens \(num_predict, from max_output_lines\)/);
  // Ollama's own count: the answer was cut at exactly num_predict tokens.
  expect(r.jobs.job.tokens!.outputTokens).toBe(500);
  expect(existsSync(path.join(root, 'out/job.txt'))).toBe(false);
}, 240_000);

test('calls queued behind Ollama\'s one slot wait longer than stall_seconds and are never aborted or retried', async () => {
  ollama = await startRealOllama({ numParallel: 1 });
  // Three jobs whose calls are sent at once (parallel = 3 on a one-slot server). Each answer runs
  // to the end of the context (no stop sequence), so each holds the slot for a while and the last
  // waits for the other two, far longer than stall_seconds = 0.3.
  const root = project({
    url: ollama.url,
    model: ollama.model,
    contextBytes: 300,
    jobs: ['a', 'b', 'c'],
    ollamaToml: 'parallel = 3\nstall_seconds = 0.3\noptions = { num_ctx = 8192, num_predict = -1, temperature = 1, seed = 5 }',
    toml: '[batch]\nmax_concurrent = 3\n',
  });
  const r = await runBatch(h, root, { llmCapacity: 3 });
  const { ref } = await loadProject(root);
  for (const id of ['a', 'b', 'c']) {
    expect(r.jobs[id].state).toBe('failed');
    // Each call ran to the end of the context: the answer came, and nothing was taken for a stall.
    expect(r.jobs[id].reason).toMatch(/done_reason "length"/);
  }
  // Each job's model call ran once: no attempt was aborted while it waited and tried again.
  for (const id of ['a', 'b', 'c']) {
    const history = await h.client.workflow.getHandle(jobWorkflowId(ref.key, id)).fetchHistory();
    const attempts = (history.events ?? []).flatMap((e) => (e.activityTaskStartedEventAttributes ? [e.activityTaskStartedEventAttributes.attempt] : []));
    expect(attempts).toEqual([1]);
  }
}, 300_000);
