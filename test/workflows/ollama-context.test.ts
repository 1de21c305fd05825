// Context windows on an Ollama-like server (test/support/ollama-test-server.ts, OllamaLike):
// every call states the num_ctx it needs, asks Ollama to refuse rather than cut, and an answer
// from a prompt the model did not fully see is never written.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { NUM_CTX_SIZES } from '../../core/context-window';
import { forgetModelFacts } from '../../ollama-api/model-facts';
import { runBatch } from '../support/harness';
import { useServers, readStatuses } from '../support/servers';
import { makeProject, simpleJob } from '../support/project';
import { passingReplies, isVerification } from '../support/replies';

const t = useServers();
let modelNo = 0;

beforeEach(() => {
  forgetModelFacts();
  // A model name of its own per test: the worker keeps the num_ctx it used per server and model.
  t.ollama.models = [`ctx-model-${++modelNo}:latest`];
  t.ollama.respond = passingReplies();
});

/** A context file of about `tokens` tokens by the stand-in tokenizer (4 characters a token). */
function contextOf(tokens: number): string {
  const line = `${'x'.repeat(199)}\n`;
  return line.repeat(Math.ceil((tokens * 4) / line.length));
}

function project(opts: { contextTokens: number; ollamaToml?: string; jobs?: string[] }) {
  const jobs = Object.fromEntries((opts.jobs ?? ['big']).map((id) => [id, simpleJob(id, { context_files: ['ctx/big.txt'] })]));
  return makeProject({
    ollamaUrl: t.ollama.url,
    model: t.ollama.models[0],
    jobs,
    files: { 'ctx/big.txt': contextOf(opts.contextTokens) },
    ollamaToml: opts.ollamaToml,
    toml: '[limits]\nmax_prompt_tokens = 400000\nmax_context_lines = 100000\nmax_output_lines = 300\n',
  });
}

test('a prompt longer than the default 4096 is sent with a num_ctx that holds it, truncate and shift off, and the model sees all of it', async () => {
  t.ollama.ollama = { contextLength: 32768, defaultNumCtx: 4096 };
  const root = project({ contextTokens: 9000 });
  const r = await runBatch(t.h, root);
  expect(r.jobs.big.state).toBe('passed');
  const calls = t.ollama.calls();
  expect(calls.length).toBe(2);
  for (const c of calls) {
    expect(c.truncated).toBeFalsy();
    expect(c.body).toMatchObject({ truncate: false, shift: false });
    expect(NUM_CTX_SIZES).toContain(c.numCtx);
    expect(c.numCtx!).toBeGreaterThanOrEqual(c.promptTokens! + 1024);
    // The project's system prompt file, the first thing a front cut would lose, was seen.
    expect(c.user).toMatch(/careful engineer|review code strictly/);
  }
  // One size for the whole job: Ollama loaded the model once.
  expect(new Set(calls.map((c) => c.numCtx)).size).toBe(1);
  expect(t.ollama.loads).toHaveLength(1);
}, 60_000);

test('a prompt beyond the model maximum fails before any model call, with the numbers and what to do', async () => {
  t.ollama.ollama = { contextLength: 32768 };
  const root = project({ contextTokens: 40000 });
  const r = await runBatch(t.h, root);
  expect(r.jobs.big.state).toBe('failed');
  expect(r.jobs.big.reason).toMatch(/the prompt \(about \d+ tokens\) and room for an answer \(1024\) do not fit in a context of 32768 tokens \(num_ctx\); the model's maximum is 32768: use fewer or smaller context files/);
  expect(t.ollama.calls()).toHaveLength(0);
  expect(existsSync(path.join(root, 'out/big.txt'))).toBe(false);
  expect(readStatuses(root).big.status).toBe('fail');
}, 60_000);

test('when the server counts more tokens than estimated, its 400 is answered with the next size, up to the model maximum', async () => {
  // One character a token: denser than the estimate (3 bytes a token), like a byte-level vocabulary.
  t.ollama.ollama = { contextLength: 32768, charsPerToken: 1 };
  const root = project({ contextTokens: 3000 }); // ~12,000 characters: ~4,100 tokens estimated, ~12,300 counted
  const r = await runBatch(t.h, root);
  expect(r.jobs.big.state).toBe('passed');
  const gen = t.ollama.calls().filter((c) => !isVerification(c));
  expect(gen.map((c) => [c.status, c.numCtx])).toEqual([
    [400, 8192],
    [200, 16384],
  ]);
}, 60_000);

test('a server that ignores truncate: false and cuts the prompt: the answer is refused, nothing written', async () => {
  t.ollama.ollama = { contextLength: 32768, ignoresTruncate: true, charsPerToken: 1 };
  const root = project({ contextTokens: 3000, ollamaToml: 'options = { num_ctx = 8192 }' });
  const r = await runBatch(t.h, root);
  const gen = t.ollama.calls().filter((c) => !isVerification(c));
  expect(gen[0].truncated).toBe(true);
  expect(r.jobs.big.state).toBe('failed');
  expect(r.jobs.big.reason).toMatch(/read only the last 8192 tokens of the prompt \(it fills num_ctx 8192: the start was cut\); the answer was not used/);
  expect(existsSync(path.join(root, 'out/big.txt'))).toBe(false);
}, 60_000);

test('the num_ctx the user sets in [ollama] options is sent as it is', async () => {
  t.ollama.ollama = { contextLength: 32768 };
  const root = project({ contextTokens: 100, ollamaToml: 'options = { num_ctx = 12000, temperature = 0.2 }' });
  const r = await runBatch(t.h, root);
  expect(r.jobs.big.state).toBe('passed');
  // num_predict comes from max_output_lines (the answer's room), the rest as the user set it.
  for (const c of t.ollama.calls()) expect(c.body.options).toEqual({ num_predict: expect.any(Number), num_ctx: 12000, temperature: 0.2 });
}, 60_000);

test('an answer that reaches the end of the context stops with done_reason "length" and fails the job, never passes', async () => {
  t.ollama.ollama = { contextLength: 32768 };
  const long = Array.from({ length: 3000 }, (_, i) => `line ${i}`).join('\n');
  t.ollama.respond = (req) => (isVerification(req) ? { content: 'PASS' } : { content: `~~~worksplit:out/big.txt\n${long}\n~~~worksplit\n`, chunks: 3000 });
  const root = project({ contextTokens: 100, ollamaToml: 'options = { num_ctx = 2500 }' });
  const r = await runBatch(t.h, root);
  expect(r.jobs.big.state).toBe('failed');
  expect(r.jobs.big.reason).toMatch(/was cut short at a length limit \(done_reason "length"; prompt \d+ \+ answer \d+ tokens, num_ctx 2500, model maximum 32768\)/);
  expect(existsSync(path.join(root, 'out/big.txt'))).toBe(false);
}, 60_000);

test("the Modelfile's num_ctx is kept as the size when it is big enough", async () => {
  t.ollama.ollama = { contextLength: 65536, modelfileNumCtx: 32768 };
  const root = project({ contextTokens: 100, jobs: ['a', 'b'] });
  const r = await runBatch(t.h, root);
  expect(r.totals.passed).toBe(2);
  expect(new Set(t.ollama.calls().map((c) => c.numCtx))).toEqual(new Set([32768]));
}, 60_000);
