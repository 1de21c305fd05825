// `worksplit run` on a terminal (a pty from util-linux `script`): live rows per running job with
// phase and tokens so far, a totals bar, and no colour with NO_COLOR; plain lines in a pipe.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CLI, runCli } from '../support/processes';
import { OllamaTestServer } from '../support/ollama-test-server';
import { makeProject, simpleJob } from '../support/project';
import { passingReplies } from '../support/replies';

let ollama: OllamaTestServer;
beforeAll(async () => {
  ollama = await new OllamaTestServer({ respond: passingReplies({ chunks: 60, tokenDelayMs: 40 }) }).start();
});
afterAll(async () => {
  await ollama.stop();
});

async function onTerminal(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const cmd = [process.execPath, CLI, ...args].map((a) => `'${a}'`).join(' ');
  const { stdout } = await promisify(execFile)('script', ['-qec', cmd, '/dev/null'], { env: { ...process.env, ...env }, maxBuffer: 20 * 1024 * 1024 });
  return stdout;
}

test('on a terminal: a live row per running job (phase, elapsed, tokens so far) under a totals bar', async () => {
  const root = makeProject({ ollamaUrl: ollama.url, jobs: { a: simpleJob('a'), b: simpleJob('b') } });
  const out = await onTerminal(['--path', root, 'run'], { TEMPORAL_ADDRESS: process.env.WORKSPLIT_TEST_TEMPORAL_ADDRESS!, NO_COLOR: '1' });
  expect(out).toMatch(/▶ a\s+generating\s+\d+\.\ds\s+\d+ tokens/);
  // Tokens so far come from the streaming call's heartbeat, before any call has finished.
  expect(out).toMatch(/▶ [ab]\s+generating\s+\d+\.\ds\s+[1-9]\d* tokens/);
  expect(out).toMatch(/\[[█░]{24}\] \d\/2 {2}\d passed, \d failed/);
  expect(out).toContain('✔ a passed');
  expect(out).toContain('Batch done: 2 passed, 0 failed');
  // NO_COLOR: cursor movement, but no colour codes.
  expect(out).not.toMatch(/\x1b\[3\dm/);
});

test('in a pipe: plain lines, one per job event; with -q nothing at all', async () => {
  const root = makeProject({ ollamaUrl: ollama.url, jobs: { c: simpleJob('c') } });
  const plain = await runCli(['--path', root, 'run'], { TEMPORAL_ADDRESS: process.env.WORKSPLIT_TEST_TEMPORAL_ADDRESS! });
  expect(plain.output).toContain('▶ c started');
  expect(plain.output).toMatch(/✔ c passed in \d+\.\ds, \d+ tokens/);
  expect(plain.output).not.toMatch(/\x1b\[/);
  const root2 = makeProject({ ollamaUrl: ollama.url, jobs: { d: simpleJob('d') } });
  const quiet = await runCli(['--path', root2, 'run', '-q'], { TEMPORAL_ADDRESS: process.env.WORKSPLIT_TEST_TEMPORAL_ADDRESS! });
  expect(quiet.code).toBe(0);
  expect(quiet.output).toBe('');
});
