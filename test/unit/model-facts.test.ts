// ollama-api/model-facts.ts: POST /api/show over node:http, with the error shapes the LLM
// activity's classification reads (status_code and error text; socket errors as `cause`).
import { askModelFacts } from '../../client/context-report';
import type { LlmSettings } from '../../core/model-call';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { OllamaHttpError, forgetModelFacts, modelContextFacts } from '../../ollama-api/model-facts';
import { classify } from '../../activities/llm';
import { OllamaTestServer } from '../../testing/ollama-test-server';

/** A plain HTTP server answering every request with `status` and `body` (not an Ollama). */
async function plainServer(status: number, body: string, type = 'text/plain'): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((_req, res) => res.writeHead(status, { 'content-type': type }).end(body));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(() => r())) };
}

beforeEach(() => forgetModelFacts());

test('the model maximum and the Modelfile num_ctx come from /api/show, asked once per server and model', async () => {
  let asked = 0;
  const server = http.createServer((req, res) => {
    asked++;
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      expect([req.method, req.url, JSON.parse(body)]).toEqual(['POST', '/api/show', { model: 'm:latest' }]);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ model_info: { 'general.architecture': 'qwen2', 'qwen2.context_length': 32768 }, parameters: 'num_ctx 8192' }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    expect(await modelContextFacts(url, 'm:latest')).toEqual({ maxContext: 32768, modelfileNumCtx: 8192 });
    expect(await modelContextFacts(`${url}/`, 'm:latest')).toEqual({ maxContext: 32768, modelfileNumCtx: 8192 });
    await modelContextFacts(url, 'm:latest');
    expect(asked).toBe(2); // once for each way of writing the server's URL
  } finally {
    await new Promise((r) => server.close(r));
  }
});

test('the test Ollama server reports its context length the same way', async () => {
  const ollama = await new OllamaTestServer({ models: ['m:latest'], ollama: { contextLength: 8192 } }).start();
  try {
    expect(await modelContextFacts(ollama.url, 'm:latest')).toEqual({ maxContext: 8192 });
  } finally {
    await ollama.stop();
  }
});

test('a model the server does not have rejects with status 404, which a model call reports as ModelNotFound', async () => {
  const ollama = await new OllamaTestServer({ models: ['m:latest'] }).start();
  try {
    const e = await modelContextFacts(ollama.url, 'other:latest').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(OllamaHttpError);
    expect((e as OllamaHttpError).status_code).toBe(404);
    expect(classify(e, { url: ollama.url, model: 'other:latest' })).toMatchObject({ type: 'ModelNotFound', nonRetryable: true });
  } finally {
    await ollama.stop();
  }
});

test('a server without /api/show (an error other than 404) only means the facts are unknown', async () => {
  const s = await plainServer(500, '{"error":"no such route"}', 'application/json');
  try {
    expect(await modelContextFacts(s.url, 'm')).toEqual({});
  } finally {
    await s.close();
  }
});

test('a plain-text 404 page keeps its text as the error, and nothing is printed', async () => {
  const s = await plainServer(404, '404 page not found');
  const log = jest.spyOn(console, 'log');
  try {
    await expect(modelContextFacts(s.url, 'm')).rejects.toMatchObject({ status_code: 404, error: '404 page not found' });
    expect(log).not.toHaveBeenCalled();
  } finally {
    log.mockRestore();
    await s.close();
  }
});

test('an unreachable server rejects with the socket error as cause, which a model call reports as OllamaUnreachable', async () => {
  const s = await plainServer(200, '{}');
  await s.close();
  const e = await modelContextFacts(s.url, 'm').catch((x: unknown) => x);
  expect((e as { cause?: { code?: string } }).cause?.code).toBe('ECONNREFUSED');
  expect(classify(e, { url: s.url, model: 'm' })).toMatchObject({ type: 'OllamaUnreachable', nonRetryable: false });
  // A failed answer is not kept: the next ask goes to the server again.
  const again = await plainServer(200, '{"model_info":{"llama.context_length":4096},"parameters":"num_ctx 2048"}', 'application/json');
  try {
    expect(await modelContextFacts(again.url, 'm')).toEqual({ maxContext: 4096, modelfileNumCtx: 2048 });
  } finally {
    await again.close();
  }
});

test('an abort signal ends the wait', async () => {
  const server = http.createServer(() => undefined);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    await expect(modelContextFacts(url, 'm', AbortSignal.timeout(100))).rejects.toMatchObject({ name: expect.stringMatching(/Abort|Timeout/) });
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

test('validate and preview call a 404 a missing model only when the server says the model is not found', async () => {
  const llm = { url: '', model: 'm:1', timeoutSeconds: 1, stallSeconds: 1, stream: true } as unknown as LlmSettings;
  const route = await plainServer(404, '404 page not found');
  const missing = await plainServer(404, '{"error":"model \'m:1\' not found"}', 'application/json');
  try {
    const a = await askModelFacts({ ...llm, url: route.url });
    expect(a).toEqual({ unknown: `${route.url} did not tell m:1's context size (HTTP 404: 404 page not found)` });
    const b = await askModelFacts({ ...llm, url: missing.url, model: 'm:1' });
    expect(b).toEqual({ unknown: `the Ollama server at ${missing.url} has no model m:1 (pull it: ollama pull m:1)`, modelMissing: true });
  } finally {
    await route.close();
    await missing.close();
  }
});
