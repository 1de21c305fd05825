// Payloads are sealed with the project's key (issue 24, item 1). A hostile probe ran a stranger's
// worker on the project's LLM task queue: it took 14 of 16 model calls, read prompts holding a
// context file, and answered with its own text, which every output then held, all jobs "pass".
// Here strangers of every kind poll the same queue, beside the project's own worker, while a batch
// runs: one without the key (a stock worker: it cannot parse its input), one that answers anyway
// with its own text, and one that seals with another key. None reads a prompt, nothing they send
// back is accepted, and the batch finishes with every call answered by the project's worker.
import { Client } from '@temporalio/client';
import { ApplicationFailure, type Payload, type PayloadCodec } from '@temporalio/common';
import { NativeConnection, Worker } from '@temporalio/worker';
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { payloadCodec } from '../../client/payload-key';
import { loadProject } from '../../client/project';
import { AesGcmPayloadCodec, sealedDataConverter } from '../../worker/payload-codec';
import { startBatch, startWorkers } from '../support/harness';
import { makeProject, simpleJob } from '../support/project';
import { contentFor, passingReplies } from '../support/replies';
import { readStatuses, useServers } from '../support/servers';

const t = useServers();
const SECRET = `CONTEXT-SECRET-${randomBytes(6).toString('hex')}`;
const STRANGER = 'STRANGER WROTE THIS';

/** What a stranger's worker saw and did. */
interface Seen {
  tasks: number;
  bytes: string[];
}

/** A codec that records the raw bytes a stranger receives and, for `answering`, gives its
 * activity something to run on (a stranger who ignores the input and answers anyway). */
function recording(seen: Seen, inner?: PayloadCodec, answering = false): PayloadCodec {
  return {
    encode: (p: Payload[]) => (inner ? inner.encode(p) : Promise.resolve(p)),
    async decode(payloads: Payload[]) {
      for (const p of payloads) seen.bytes.push(Buffer.from(p.data ?? []).toString('latin1'));
      if (inner) return inner.decode(payloads);
      if (answering) return payloads.map(() => ({ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('{}') }));
      return payloads;
    },
  };
}

const connections: NativeConnection[] = [];
afterAll(async () => {
  for (const c of connections) await c.close();
});

/** A stranger's worker: its own process in life, its own connection here. */
async function stranger(taskQueue: string, seen: Seen, opts: { codec?: PayloadCodec; fail?: 'retryable' | 'non-retryable' }): Promise<Worker> {
  const connection = await NativeConnection.connect({ address: t.h.address });
  connections.push(connection);
  return Worker.create({
    connection,
    taskQueue,
    maxConcurrentActivityTaskExecutions: 20,
    ...(opts.codec ? { dataConverter: { payloadCodecs: [opts.codec] } } : {}),
    activities: {
      async llmChat() {
        seen.tasks++;
        if (opts.fail) throw ApplicationFailure.create({ message: 'stranger says no', nonRetryable: opts.fail === 'non-retryable' });
        return { text: `~~~worksplit:out/a.txt\n${STRANGER}\n~~~worksplit\nPASS`, promptTokens: 1, outputTokens: 1, modelMs: 1 };
      },
    },
  });
}

test("strangers on the LLM queue read no prompt and none of their answers is accepted: the project's worker answers every call", async () => {
  const ids = ['a', 'b', 'c', 'd', 'e', 'f'];
  // The project's Ollama is slow for the first calls, with room for one call at a time, so the
  // strangers certainly get calls while the project's worker is busy.
  let served = 0;
  const honest = passingReplies();
  t.ollama.respond = (req) => ({ ...honest(req), ...(served++ < 2 ? { latencyMs: 400 } : {}) });
  const root = makeProject({
    ollamaUrl: t.ollama.url,
    jobs: Object.fromEntries(ids.map((id) => [id, simpleJob(id, { context_files: ['src/secret.ts'] })])),
    files: { 'src/secret.ts': `export const KEY = '${SECRET}';\n` },
  });
  const project = await loadProject(root);
  const workerCodec = await payloadCodec(project.ref.root, { onForged: 'mark' });
  const owner = await startWorkers(t.h, root, { llmCapacity: 1, codec: workerCodec });
  const seen: Record<string, Seen> = { nokey: { tasks: 0, bytes: [] }, answers: { tasks: 0, bytes: [] }, otherKey: { tasks: 0, bytes: [] }, refuses: { tasks: 0, bytes: [] } };
  const otherKey = new AesGcmPayloadCodec(randomBytes(32), { onForged: 'mark' });
  const strangers = await Promise.all([
    stranger(project.queues.llm, seen.nokey, { codec: recording(seen.nokey) }),
    stranger(project.queues.llm, seen.answers, { codec: recording(seen.answers, undefined, true) }),
    stranger(project.queues.llm, seen.otherKey, { codec: recording(seen.otherKey, otherKey, true) }),
    stranger(project.queues.llm, seen.refuses, { codec: recording(seen.refuses, undefined, true), fail: 'non-retryable' }),
  ]);
  const running = strangers.map((w) => w.run());
  try {
    const client = new Client({ connection: t.h.client.connection, dataConverter: sealedDataConverter(await payloadCodec(project.ref.root, { onForged: 'throw' })) });
    const { handle } = await startBatch({ ...t.h, client }, root);
    const result = await handle.result();
    expect(Object.values(result.jobs).map((j) => j.state)).toEqual(ids.map(() => 'passed'));
    const statuses = readStatuses(root);
    for (const id of ids) {
      expect(statuses[id].status).toBe('pass');
      expect(readFileSync(path.join(root, 'out', `${id}.txt`), 'utf8').trim()).toBe(contentFor(id));
    }
    // Every call (a generation and a verification per job) was answered by the project's Ollama.
    expect(t.ollama.calls().length).toBe(ids.length * 2);
    // The strangers did get calls, and never a readable prompt.
    const taken = Object.values(seen).reduce((n, s) => n + s.bytes.length, 0);
    expect(taken).toBeGreaterThan(0);
    for (const s of Object.values(seen)) for (const b of s.bytes) expect(b).not.toContain(SECRET);
    // The key file is the owner's alone.
    expect((statSync(path.join(root, '.worksplit', 'payload.key')).mode & 0o777).toString(8)).toBe('600');
  } finally {
    for (const w of strangers) w.shutdown();
    await Promise.all(running);
    await owner.stop();
  }
}, 120_000);
