// Batches larger than one history (continue-as-new, with the server's threshold lowered in the
// test set-up to 400 events) and a load of 200 jobs at 32 at once with random latencies.
import { readFileSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import { parseStatusFile } from '../../core/status';
import type { BatchProgress } from '../../workflows/types';
import { progressOf, startBatch, startWorkers } from '../support/harness';
import { useServers } from '../support/servers';
import { makeProject, simpleJob } from '../support/project';
import { block, contentFor, isVerification, jobOf } from '../support/replies';

const t = useServers();

test('a 300-job batch continues as new and finishes with correct totals; queries answer across the boundary', async () => {
  t.ollama.respond = (req) => (isVerification(req) ? { content: 'PASS' } : { content: block(`out/${jobOf(req)}.txt`, contentFor(jobOf(req))) });
  const ids = Array.from({ length: 300 }, (_, i) => `n${String(i).padStart(3, '0')}`);
  // A chain every 10 jobs, so dependencies cross continue-as-new boundaries too.
  const jobs = Object.fromEntries(ids.map((id, i) => [id, simpleJob(id, i % 10 === 0 || i === 0 ? {} : { depends_on: [ids[i - 1]] })]));
  const root = makeProject({ ollamaUrl: t.ollama.url, jobs, toml: '\n[batch]\nmax_concurrent = 32\n' });
  const w = await startWorkers(t.h, root);
  try {
    const { handle } = await startBatch(t.h, root);
    const seen: BatchProgress[] = [];
    let done = false;
    const watcher = (async () => {
      while (!done) {
        seen.push(await progressOf(handle));
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const result = await handle.result();
    done = true;
    await watcher;
    expect(result.totals).toMatchObject({ total: 300, passed: 300, failed: 0, skipped: 0, cancelled: 0 });
    expect(Object.values(result.jobs).every((j) => j.state === 'passed' && j.tokens && j.tokens.calls === 2)).toBe(true);
    expect(result.tokens.calls).toBe(600);
    const generations = seen.map((p) => p.generation);
    expect(Math.max(...generations)).toBeGreaterThan(0);
    // Progress never went backwards across the boundaries.
    for (let i = 1; i < seen.length; i++) expect(seen[i].totals.passed).toBeGreaterThanOrEqual(seen[i - 1].totals.passed);
    const entries = parseStatusFile(readFileSync(path.join(root, 'jobs/_jobstatus.json'), 'utf8'));
    expect(entries.filter((e) => e.status === 'pass')).toHaveLength(300);
  } finally {
    await w.stop();
  }
}, 240_000);

test('200 jobs at max_concurrent 32 with random latencies: each passes exactly once, status never corrupt, memory flat', async () => {
  let seed = 42;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  t.ollama.resetStats();
  t.ollama.respond = (req) => {
    const latencyMs = Math.floor(random() * 150);
    return isVerification(req) ? { content: 'PASS', latencyMs } : { content: block(`out/${jobOf(req)}.txt`, contentFor(jobOf(req))), latencyMs, tokenDelayMs: 2 };
  };
  const ids = Array.from({ length: 200 }, (_, i) => `l${String(i).padStart(3, '0')}`);
  const root = makeProject({ ollamaUrl: t.ollama.url, jobs: Object.fromEntries(ids.map((id) => [id, simpleJob(id)])), toml: '\n[batch]\nmax_concurrent = 32\n' });
  const statusFile = path.join(root, 'jobs/_jobstatus.json');
  let polling = true;
  const corrupt: string[] = [];
  const poller = (async () => {
    while (polling) {
      if (existsSync(statusFile)) {
        try {
          parseStatusFile(readFileSync(statusFile, 'utf8'));
        } catch (e) {
          corrupt.push((e as Error).message);
        }
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  const w = await startWorkers(t.h, root);
  const heap: number[] = [];
  try {
    const { handle } = await startBatch(t.h, root);
    const sampler = setInterval(() => heap.push(process.memoryUsage().heapUsed), 250);
    const result = await handle.result();
    clearInterval(sampler);
    expect(result.totals).toMatchObject({ total: 200, passed: 200 });
  } finally {
    await w.stop();
    polling = false;
    await poller;
  }
  expect(corrupt).toEqual([]);
  expect(t.ollama.maxInFlight).toBeLessThanOrEqual(32);
  const gens = t.ollama.calls().filter((c) => !isVerification(c));
  expect(gens).toHaveLength(200);
  expect(new Set(gens.map(jobOf)).size).toBe(200);
  const entries = parseStatusFile(readFileSync(statusFile, 'utf8'));
  expect(entries.map((e) => e.status)).toEqual(Array(200).fill('pass'));
  // Memory stays flat: the heap at the end is within a small margin of the heap early on.
  const early = Math.max(...heap.slice(0, Math.max(1, Math.floor(heap.length / 4))));
  expect(heap[heap.length - 1]).toBeLessThan(early * 1.5 + 50 * 1024 * 1024);
}, 240_000);
