// An LLM host's Ollama stand-in for the cluster tier's network tests, run inside that host's
// network namespace (its own 127.0.0.1): the Ollama-protocol test server, answering as
// passingReplies does but streaming each generation slowly, so faults land mid-call. Every call
// is written to a JSON file (rewritten whole, atomically, every 100 ms) that the test reads.
//   node dist/test/support/cluster-llm-host.js PORT CALLS_FILE CHUNKS CHUNK_DELAY_MS
// Stops when its standard input closes (the test is gone) or after 30 minutes.
import { renameSync, writeFileSync } from 'node:fs';
import { OllamaTestServer } from '../../testing/ollama-test-server';
import { isVerification, jobOf, passingReplies } from './replies';

export interface HostCall {
  job: string;
  verification: boolean;
  completed: boolean;
  aborted: boolean;
  startedAt: number;
  endedAt?: number;
}

async function main(): Promise<void> {
  const [port, file, chunks, delay] = process.argv.slice(2);
  const server = new OllamaTestServer({ respond: (req) => passingReplies(isVerification(req) ? { latencyMs: 50 } : { chunks: Number(chunks), tokenDelayMs: Number(delay) })(req) });
  await server.start(Number(port));
  const write = () => {
    const calls: HostCall[] = server.requests
      .filter((r) => r.path === '/api/chat' || r.path === '/api/generate')
      .map((r) => ({ job: jobOf(r), verification: isVerification(r), completed: r.completed, aborted: r.aborted, startedAt: r.startedAt, ...(r.endedAt ? { endedAt: r.endedAt } : {}) }));
    writeFileSync(`${file}.tmp`, JSON.stringify(calls));
    renameSync(`${file}.tmp`, file);
  };
  write();
  const timer = setInterval(write, 100);
  process.stdout.write(`ready ${server.url}\n`);
  const stop = () => {
    clearInterval(timer);
    write();
    process.exit(0);
  };
  process.stdin.on('end', stop).on('close', stop).resume();
  setTimeout(stop, 30 * 60_000).unref();
}

void main();
