// The shared set-up of a workflow test file: a client of the suite's Temporal server and one
// Ollama-protocol test server, with the request record reset before each test.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { StatusEntry, parseStatusFile } from '../../core/status';
import { Harness, connectTestServer } from './harness';
import { OllamaTestServer } from './ollama-test-server';

export interface Servers {
  h: Harness;
  ollama: OllamaTestServer;
}

export function useServers(): Servers {
  const s = {} as Servers;
  beforeAll(async () => {
    s.h = await connectTestServer();
    s.ollama = await new OllamaTestServer().start();
  });
  afterAll(async () => {
    await s.ollama?.stop();
    await s.h?.close();
  });
  beforeEach(() => s.ollama.resetStats());
  return s;
}

/** A stand-in model for the tests of one file that run worksplit as its own process (on the
 * suite's Temporal server: sharedServerEnv in processes.ts). */
export function useStandInModel(): { readonly ollama: OllamaTestServer } {
  const s = {} as { ollama: OllamaTestServer };
  beforeAll(async () => {
    s.ollama = await new OllamaTestServer().start();
  });
  afterAll(async () => {
    await s.ollama?.stop();
  });
  return s;
}

/** jobs/_jobstatus.json by job id. */
export function readStatuses(root: string): Record<string, StatusEntry> {
  return Object.fromEntries(parseStatusFile(readFileSync(path.join(root, 'jobs/_jobstatus.json'), 'utf8')).map((e) => [e.id, e]));
}
