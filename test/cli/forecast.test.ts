// The forecast of a running batch, learned from an earlier batch of the same project and model:
// the same batch run twice with a stand-in of fixed latency; at a quarter done the second run's
// forecast is within 25% of the time it then took. `status --json` and `run --dry-run` show it.
import { useStandInModel } from '../support/servers';
import { runCli, sharedServerEnv, spawnCli } from '../support/processes';
import { makeProject, simpleJob } from '../support/project';
import { connectTestServer, waitFor } from '../support/harness';
import { passingReplies } from '../support/replies';
import { batchWorkflowId } from '../../core/ids';
import { loadProject } from '../../client/project';
import { batchForecast, earlierJobs } from '../../client/forecast';
import { progressQuery } from '../../workflows/messages';
import type { Forecast } from '../../core/forecast';
import { Client } from '@temporalio/client';
import { clientDataConverter } from '../../client/connection';

const model = useStandInModel();

const shared = sharedServerEnv;

test('second run of the same batch: the forecast at a quarter done is within 25% of the actual remaining time', async () => {
  // 16 jobs in 4 chains of 4, two at a time; every call takes 250 ms (two calls a job).
  model.ollama.respond = passingReplies({ latencyMs: 250 });
  const jobs: Record<string, ReturnType<typeof simpleJob>> = {};
  for (const chain of ['a', 'b', 'c', 'd']) {
    for (let i = 1; i <= 4; i++) jobs[`${chain}${i}`] = simpleJob(`${chain}${i}`, i > 1 ? { context_files: [`out/${chain}${i - 1}.txt`] } : {});
  }
  const root = makeProject({ ollamaUrl: model.ollama.url, toml: '[batch]\nmax_concurrent = 2\n', ollamaToml: 'parallel = 2\n', jobs });
  const first = await runCli(['--path', root, 'run'], shared());
  expect(first.output).toContain('Batch done: 16 passed');

  // Before the second run: the dry run forecasts the whole batch from the first.
  await runCli(['--path', root, 'reset', 'all'], shared());
  const dry = await runCli(['--path', root, 'run', '--dry-run'], shared());
  expect(dry.output).toMatch(/Forecast: ≈ \d+ s left, ~\d+ tokens \(from 16 jobs of 1 earlier batch\)/);

  const h = await connectTestServer();
  try {
    const project = await loadProject(root);
    // The project's payloads are sealed with its key: read them as its CLI does.
    const client = new Client({ connection: h.client.connection, dataConverter: await clientDataConverter(root) });
    const handle = client.workflow.getHandle(batchWorkflowId(project.ref.key));
    const history = await earlierJobs(client, handle.workflowId, project.config.ollama.model);
    expect(history).toMatchObject({ batches: 1 });
    expect(history.samples).toHaveLength(16);

    const second = spawnCli(['--path', root, 'run'], shared());
    let atQuarter: { at: number; forecast: Forecast } | undefined;
    await waitFor(
      async () => {
        // The first batch (completed) answers queries too: ask only the running one.
        const d = await handle.describe().catch(() => undefined);
        if (d?.status.name !== 'RUNNING') return false;
        const p = await client.workflow.getHandle(handle.workflowId, d.runId).query(progressQuery).catch(() => undefined);
        if (!p || p.planning) return false;
        const done = p.totals.passed + p.totals.failed;
        if (done < 4) return false;
        atQuarter = { at: Date.now(), forecast: batchForecast(p, history, project.config.ollama.parallel)! };
        return true;
      },
      120_000,
      'a quarter of the second batch done',
    );
    const status: { forecast: Forecast | null } = JSON.parse((await runCli(['--path', root, 'status', '--json'], shared())).output);
    expect(await second.exited).toBe(0);
    const actual = (Date.now() - atQuarter!.at) / 1000;
    const predicted = atQuarter!.forecast.remaining_seconds;
    expect(atQuarter!.forecast.basis).toMatch(/^16 jobs of 1 earlier batch and \d+ finished jobs? of this batch$/);
    expect(Math.abs(predicted - actual) / actual).toBeLessThanOrEqual(0.25);
    expect(atQuarter!.forecast.remaining_output_tokens).toBeGreaterThan(0);
    // status --json while it ran had the documented shape.
    expect(status.forecast).toEqual({ remaining_seconds: expect.any(Number), remaining_output_tokens: expect.any(Number), basis: expect.stringContaining('earlier batch') });
  } finally {
    await h.close();
  }
}, 240_000);
