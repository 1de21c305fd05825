// Steering a running batch through the CLI: pause and resume, concurrency changes that take
// effect at once, cancelling one job (its stream aborted, its dependents skipped).
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseStatusFile } from '../../core/status';
import { progressOf, sealedFor, startBatch, startWorkers, waitFor } from '../support/harness';
import { useServers } from '../support/servers';
import { runCli } from '../support/processes';
import { makeProject, simpleJob } from '../support/project';
import { isVerification, jobOf, passingReplies } from '../support/replies';

const t = useServers();
const env = () => ({ TEMPORAL_ADDRESS: t.h.address });

test('pause holds new jobs while running ones finish; resume and concurrency take effect at once', async () => {
  t.ollama.respond = passingReplies({ latencyMs: 400 });
  const ids = ['a', 'b', 'c', 'd', 'e', 'f'];
  const root = makeProject({ ollamaUrl: t.ollama.url, jobs: Object.fromEntries(ids.map((id) => [id, simpleJob(id)])), toml: '\n[batch]\nmax_concurrent = 1\n' });
  // The CLI's commands seal their payloads with the project's key: so do these workers.
  const w = await startWorkers(t.h, root, { sealed: true });
  try {
    const { handle } = await startBatch(await sealedFor(t.h, root), root);
    await waitFor(() => t.ollama.calls().length >= 1, 20_000, 'first call');
    const paused = await runCli(['--path', root, 'pause'], env());
    expect(paused.code).toBe(0);
    expect(paused.output).toContain('Paused');
    // The running job finishes; nothing new starts while paused.
    await waitFor(async () => (await progressOf(handle)).totals.running === 0, 20_000, 'running job to finish');
    const callsWhilePaused = t.ollama.calls().length;
    await new Promise((r) => setTimeout(r, 1500));
    expect(t.ollama.calls().length).toBe(callsWhilePaused);
    expect((await progressOf(handle)).paused).toBe(true);
    const live = JSON.parse((await runCli(['--path', root, 'status', '--json'], env())).output);
    expect(live.running).toBe(true);
    expect(live.batch.paused).toBe(true);

    expect((await runCli(['--path', root, 'concurrency', '3'], env())).output).toContain('at most 3 job(s) at once');
    t.ollama.resetStats();
    expect((await runCli(['--path', root, 'resume'], env())).code).toBe(0);
    const result = await handle.result();
    expect(result.totals.passed).toBe(6);
    expect(t.ollama.maxInFlight).toBe(3);
  } finally {
    await w.stop();
  }
});

test('cancel one job: its stream is aborted, its status says cancelled, its dependents are skipped, the rest pass', async () => {
  t.ollama.respond = (req) => (jobOf(req) === 'victim' && !isVerification(req) ? { content: 'x '.repeat(500), chunks: 500, tokenDelayMs: 20 } : passingReplies({ latencyMs: 50 })(req));
  const root = makeProject({ ollamaUrl: t.ollama.url, jobs: { victim: simpleJob('victim'), after: simpleJob('after', { depends_on: ['victim'] }), other: simpleJob('other') } });
  // The CLI's commands seal their payloads with the project's key: so do these workers.
  const w = await startWorkers(t.h, root, { sealed: true });
  try {
    const { handle } = await startBatch(await sealedFor(t.h, root), root);
    await waitFor(() => t.ollama.calls().some((c) => jobOf(c) === 'victim'), 20_000, 'victim streaming');
    const r = await runCli(['--path', root, 'cancel', 'victim'], env());
    expect(r.output).toContain('Cancelled 1 job: victim');
    const result = await handle.result();
    expect(result.jobs.victim).toMatchObject({ state: 'cancelled', reason: 'cancelled by request' });
    expect(result.jobs.after.state).toBe('skipped');
    expect(result.jobs.other.state).toBe('passed');
    expect(t.ollama.calls().find((c) => jobOf(c) === 'victim')!.aborted).toBe(true);
    const st = Object.fromEntries(parseStatusFile(readFileSync(path.join(root, 'jobs/_jobstatus.json'), 'utf8')).map((e) => [e.id, e]));
    expect(st.victim).toMatchObject({ status: 'created', ran: false, error: 'cancelled by request' });
    expect(st.after.error).toContain('depends on victim, which was cancelled');
  } finally {
    await w.stop();
  }
});
