// What goes wrong between worker and Ollama: hung streams, streams cut mid-answer, HTTP 500/503,
// connection refused. Each is retried with backoff and the job passes; model-not-found is not
// retried (see batch-failures.test.ts).
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { runBatch, startBatch, startWorkers } from '../support/harness';
import { useServers } from '../support/servers';
import { OllamaTestServer, RecordedRequest, Reply } from '../support/ollama-test-server';
import { makeProject, simpleJob } from '../support/project';
import { block, contentFor, isVerification, jobOf } from '../support/replies';

const t = useServers();

/** The first generation of each job misbehaves as given; later calls answer normally. */
function failFirst(fault: Reply) {
  const seen = new Set<string>();
  return (req: RecordedRequest): Reply => {
    const id = jobOf(req);
    if (isVerification(req)) return { content: 'PASS' };
    const good = { content: block(`out/${id}.txt`, contentFor(id)) };
    if (seen.has(id)) return good;
    seen.add(id);
    return { ...good, ...fault };
  };
}

test('a hung stream (headers, then nothing) is aborted by the stall watchdog and retried', async () => {
  t.ollama.respond = failFirst({ hang: 'headers' });
  const root = makeProject({ ollamaUrl: t.ollama.url, jobs: { hung: simpleJob('hung') } });
  const toml = path.join(root, 'worksplit.toml');
  writeFileSync(toml, readFileSync(toml, 'utf8').replace('stall_seconds = 20', 'stall_seconds = 2'));
  const r = await runBatch(t.h, root);
  expect(r.jobs.hung.state).toBe('passed');
  const gens = t.ollama.calls().filter((c) => !isVerification(c));
  expect(gens).toHaveLength(2);
  expect(gens[0].aborted).toBe(true);
});

test('a stream cut mid-answer is retried', async () => {
  t.ollama.respond = failFirst({ cutAfterChunks: 2 });
  const root = makeProject({ ollamaUrl: t.ollama.url, jobs: { cut: simpleJob('cut') } });
  const r = await runBatch(t.h, root);
  expect(r.jobs.cut.state).toBe('passed');
  expect(readFileSync(path.join(root, 'out/cut.txt'), 'utf8')).toBe(`${contentFor('cut')}\n`);
  expect(t.ollama.calls().filter((c) => !isVerification(c))).toHaveLength(2);
});

test.each([
  ['streamed', ''],
  ['not streamed', '\n[behavior]\nstream_output = false\n'],
])('an answer Ollama ends without done (a repeating model, %s) is retried and never written as it is', async (_name, toml) => {
  t.ollama.respond = failFirst({ endWithoutDone: true, content: block('out/rep.txt', 'half of it') });
  const root = makeProject({ ollamaUrl: t.ollama.url, jobs: { rep: simpleJob('rep') }, toml });
  const r = await runBatch(t.h, root);
  expect(r.jobs.rep.state).toBe('passed');
  expect(readFileSync(path.join(root, 'out/rep.txt'), 'utf8')).toBe(`${contentFor('rep')}\n`);
  expect(t.ollama.calls().filter((c) => !isVerification(c))).toHaveLength(2);
});

test('HTTP 500 and 503 are retried with backoff', async () => {
  const errors = new Map<string, number>();
  t.ollama.respond = (req) => {
    const id = jobOf(req);
    if (isVerification(req)) return { content: 'PASS' };
    const n = (errors.get(id) ?? 0) + 1;
    errors.set(id, n);
    if (n <= 2) return { error: { status: id === 'e500' ? 500 : 503, message: 'server busy' } };
    return { content: block(`out/${id}.txt`, contentFor(id)) };
  };
  const root = makeProject({ ollamaUrl: t.ollama.url, jobs: { e500: simpleJob('e500'), e503: simpleJob('e503') } });
  const r = await runBatch(t.h, root);
  expect(r.totals.passed).toBe(2);
  const gens = t.ollama.calls().filter((c) => jobOf(c) === 'e500' && !isVerification(c));
  expect(gens).toHaveLength(3);
  // Backoff: the third attempt waited longer after the second than the second after the first.
  expect(gens[2].startedAt - gens[1].startedAt).toBeGreaterThan(gens[1].startedAt - gens[0].startedAt);
});

test('connection refused is retried until the Ollama server is back', async () => {
  const late = new OllamaTestServer({ respond: failFirst({}) });
  // Reserve a port, then leave it closed for a while.
  await late.start();
  const url = late.url;
  await late.stop();
  const root = makeProject({ ollamaUrl: url, jobs: { refused: simpleJob('refused') } });
  const w = await startWorkers(t.h, root);
  try {
    const { handle } = await startBatch(t.h, root);
    await new Promise((r) => setTimeout(r, 2500));
    await late.start(Number(new URL(url).port));
    const result = await handle.result();
    expect(result.jobs.refused.state).toBe('passed');
    expect(late.calls().length).toBeGreaterThanOrEqual(2);
  } finally {
    await w.stop();
    await late.stop();
  }
});
