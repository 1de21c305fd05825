// The real-model tier never skips silently: without the built Ollama or the fetched model it
// fails with the command that installs what is missing.
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BUILD_COMMAND, FETCH_COMMAND, realOllamaCache, startRealOllama } from '../support/real-ollama';

function withEnv(vars: Record<string, string>, body: () => Promise<void>): Promise<void> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  return body().finally(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
}

let empty: string;
beforeEach(() => {
  empty = mkdtempSync(path.join(os.tmpdir(), 'worksplit-no-model-'));
});
afterEach(() => rmSync(empty, { recursive: true, force: true }));

test('no fetched model: startRealOllama({ weights: "smollm2" }) throws the fetch command', async () => {
  expect(FETCH_COMMAND).toBe('bash scripts/real-model/fetch.sh');
  // The real Ollama cache as CI has it (build.sh ran before this tier), an empty model cache.
  await withEnv({ WORKSPLIT_OLLAMA_CACHE: realOllamaCache(), WORKSPLIT_MODEL_CACHE: empty }, async () => {
    await expect(startRealOllama({ weights: 'smollm2' })).rejects.toThrow(new Error('bash scripts/real-model/fetch.sh'));
  });
});

test('neither Ollama nor the model: both commands, build first', async () => {
  await withEnv({ WORKSPLIT_OLLAMA_CACHE: empty, WORKSPLIT_MODEL_CACHE: empty }, async () => {
    await expect(startRealOllama({ weights: 'smollm2' })).rejects.toThrow(new Error(`${BUILD_COMMAND} && ${FETCH_COMMAND}`));
  });
});

test('the tiny model still names only the build command', async () => {
  await withEnv({ WORKSPLIT_OLLAMA_CACHE: empty, WORKSPLIT_MODEL_CACHE: empty }, async () => {
    await expect(startRealOllama()).rejects.toThrow(new Error(BUILD_COMMAND));
  });
});
