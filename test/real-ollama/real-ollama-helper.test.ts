// The real-Ollama tier never skips silently: without the built binary and model it fails with
// the command that builds them.
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BUILD_COMMAND, startRealOllama } from '../support/real-ollama';

test('an empty cache: startRealOllama throws the build command', async () => {
  const empty = mkdtempSync(path.join(os.tmpdir(), 'worksplit-no-ollama-'));
  const saved = process.env.WORKSPLIT_OLLAMA_CACHE;
  process.env.WORKSPLIT_OLLAMA_CACHE = empty;
  try {
    await expect(startRealOllama()).rejects.toThrow(new Error('bash scripts/real-ollama/build.sh'));
    expect(BUILD_COMMAND).toBe('bash scripts/real-ollama/build.sh');
  } finally {
    if (saved === undefined) delete process.env.WORKSPLIT_OLLAMA_CACHE;
    else process.env.WORKSPLIT_OLLAMA_CACHE = saved;
    rmSync(empty, { recursive: true, force: true });
  }
});
