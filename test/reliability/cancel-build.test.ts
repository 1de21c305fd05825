// Cancelling a job while its build command runs on a standalone `worksplit worker`: the command
// activity heartbeats, so the cancel reaches it at once and its whole process group is killed,
// instead of the build running on to command_timeout_seconds.
import { readFileSync, readdirSync } from 'node:fs';
import { Harness, connectTestServer, waitFor } from '../support/harness';
import { OllamaTestServer } from '../support/ollama-test-server';
import { Spawned, runCli, spawnCli } from '../support/processes';
import { makeProject, simpleJob } from '../support/project';
import { passingReplies } from '../support/replies';

let h: Harness;
let ollama: OllamaTestServer;
const spawned: Spawned[] = [];
beforeAll(async () => {
  h = await connectTestServer();
  ollama = await new OllamaTestServer({ respond: passingReplies() }).start();
});
afterAll(async () => {
  for (const s of spawned) s.child.kill('SIGKILL');
  await ollama.stop();
  await h.close();
});

/** Pids of running processes whose command line contains every word. */
function processesWith(words: string[]): number[] {
  const pids: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const args = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
      if (words.every((w) => args.includes(w))) pids.push(Number(d));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

test('cancel JOB during a slow build on a standalone worker kills the build within 2 s', async () => {
  // A duration no other process uses, to find the build's sleep among the machine's processes.
  const seconds = (90 + Math.random()).toFixed(3);
  const root = makeProject({
    ollamaUrl: ollama.url,
    jobs: { slow: simpleJob('slow') },
    toml: `[build]\nbuild_command = "sleep ${seconds}"\nverify_build = true\n`,
  });
  const env = { TEMPORAL_ADDRESS: h.address };
  const worker = spawnCli(['--path', root, 'worker'], env);
  spawned.push(worker);
  await waitFor(() => worker.output().includes('Worker connected'), 30_000, 'the worker');
  const run = spawnCli(['--path', root, 'run', '--no-worker'], env);
  spawned.push(run);
  await waitFor(() => processesWith(['sleep', seconds]).length > 0, 60_000, 'the build command');
  const cancel = await runCli(['--path', root, 'cancel', 'slow'], env);
  expect(cancel.output).toContain('Cancelled 1 job: slow');
  const cancelledAt = Date.now();
  await waitFor(() => processesWith(['sleep', seconds]).length === 0, 10_000, 'the build to be killed');
  expect(Date.now() - cancelledAt).toBeLessThan(2000);
  expect(await run.exited).toBe(1);
  expect(run.output()).toMatch(/slow/);
}, 120_000);
