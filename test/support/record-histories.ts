// Records workflow histories of representative batches for the replay tests
// (test/replay/replay.test.ts). Run it deliberately, after a workflow change that is meant to
// be incompatible: `npm run record-histories`. Histories of batches that were running before
// such a change would no longer replay; that is what the replay test exists to catch.
// After a change behind `patched()`, record the new path beside the old histories instead:
// `npm run record-histories -- --prefix=NAME- --jobs-only` (job workflows only, named NAME-*.json).
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { findTemporalCli } from '../../client/temporal-cli';
import type { ConfigOverrides } from '../../core/config';
import { jobWorkflowId } from '../../core/ids';
import { JOB_KEY, PROJECT_KEY, STATUS_KEY } from '../../core/search-attributes';
import { cancelJobUpdate, progressQuery } from '../../workflows/messages';
import { connectTestServer, startBatch, startWorkers, Harness, waitFor } from './harness';
import { OllamaTestServer } from './ollama-test-server';
import { jobText, makeProject, simpleJob } from './project';
import { block, isRetry, isVerification, jobOf, passingReplies } from './replies';

const OUT = path.join(__dirname, '..', '..', '..', 'test', 'replay', 'histories');
const args = process.argv.slice(2);
const PREFIX = args.find((a) => a.startsWith('--prefix='))?.slice(9) ?? '';
const JOBS_ONLY = args.includes('--jobs-only');
// --only=NAME records one scenario (e.g. with an older build's workflow bundle, for a patch's replay test).
const ONLY = args.find((a) => a.startsWith('--only='))?.slice(7);

async function save(h: Harness, name: string, workflowId: string): Promise<void> {
  const history = await h.client.workflow.getHandle(workflowId).fetchHistory();
  writeFileSync(path.join(OUT, `${PREFIX}${name}.json`), `${historyToJSON(history)}\n`);
  console.log(`recorded ${PREFIX}${name} (${history.events?.length} events)`);
}

async function scenario(h: Harness, ollama: OllamaTestServer, name: string, spec: Parameters<typeof makeProject>[0], opts: { overrides?: ConfigOverrides; during?: (handle: Awaited<ReturnType<typeof startBatch>>['handle'], root: string) => Promise<void>; jobs: string[] }) {
  if (ONLY && ONLY !== name) return;
  const root = makeProject(spec);
  const w = await startWorkers(h, root);
  const { handle, project } = await startBatch(h, root, { overrides: opts.overrides });
  if (opts.during) await opts.during(handle, root);
  await handle.result();
  await w.stop();
  if (!JOBS_ONLY) await save(h, `${name}.batch`, handle.workflowId);
  for (const id of opts.jobs) await save(h, `${name}.job-${id}`, jobWorkflowId(project.ref.key, id));
  void ollama;
}

async function main() {
  mkdirSync(OUT, { recursive: true });
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: findTemporalCli() },
      searchAttributes: [PROJECT_KEY, JOB_KEY, STATUS_KEY],
    },
  });
  process.env.WORKSPLIT_TEST_TEMPORAL_ADDRESS = env.address;
  const h = await connectTestServer();
  const ollama = await new OllamaTestServer().start();
  try {
    ollama.respond = passingReplies();
    await scenario(h, ollama, 'pass', { ollamaUrl: ollama.url, jobs: { a: simpleJob('a'), b: simpleJob('b', { context_files: ['out/a.txt'] }), c: simpleJob('c') } }, { jobs: ['a', 'b'] });

    ollama.respond = (req) => {
      if (isVerification(req)) return { content: isRetry(req) || req.user.includes('second') ? 'PASS' : 'FAIL: missing header' };
      return { content: block(`out/${jobOf(req)}.txt`, isRetry(req) ? 'second' : 'first') };
    };
    await scenario(h, ollama, 'retry', { ollamaUrl: ollama.url, jobs: { r: simpleJob('r') } }, { jobs: ['r'] });

    ollama.respond = (req) => {
      const id = jobOf(req);
      if (id === 'bad') return { content: 'no code here', latencyMs: 200 };
      if (isVerification(req)) return { content: 'PASS' };
      return { content: block(`out/${id}.txt`, 'x '.repeat(200)), chunks: 200, tokenDelayMs: 20 };
    };
    await scenario(h, ollama, 'stop-on-fail', { ollamaUrl: ollama.url, jobs: { bad: simpleJob('bad'), slow: simpleJob('slow'), later: simpleJob('later'), dep: simpleJob('dep', { depends_on: ['bad'] }) } }, { overrides: { maxConcurrent: 2, stopOnFail: true }, jobs: ['bad', 'later'] });

    ollama.respond = passingReplies({ chunks: 100, tokenDelayMs: 20 });
    await scenario(h, ollama, 'cancel', { ollamaUrl: ollama.url, jobs: { keep: simpleJob('keep'), victim: simpleJob('victim'), after: simpleJob('after', { depends_on: ['victim'] }) } }, {
      jobs: ['victim'],
      during: async (handle) => {
        await waitFor(() => ollama.calls().some((c) => jobOf(c) === 'victim'), 30_000, 'victim streaming');
        await handle.executeUpdate(cancelJobUpdate, { args: ['victim'] });
      },
    });

    // An answer that also writes a file whose name holds ":", which the path rules refuse since
    // the patch 'written-names-no-colon-full-case-fold'; recorded with the build before it.
    ollama.respond = (req) => (isVerification(req) ? { content: 'PASS' } : { content: `${block(`out/${jobOf(req)}.txt`, 'x')}\n${block('notes/v1:draft.md', 'notes')}` });
    await scenario(h, ollama, 'names', { ollamaUrl: ollama.url, jobs: { n: simpleJob('n') } }, { jobs: ['n'] });

    // An answer that also writes a file whose name holds a combining grapheme joiner (U+034F, a
    // default-ignorable code point), which the path rules refuse since the patch
    // 'written-names-no-ignorable-code-points'; recorded with the build before it.
    ollama.respond = (req) => (isVerification(req) ? { content: 'PASS' } : { content: `${block(`out/${jobOf(req)}.txt`, 'x')}\n${block('notes/dra\u034ft.md', 'notes')}` });
    await scenario(h, ollama, 'unicode-names', { ollamaUrl: ollama.url, jobs: { u: simpleJob('u') } }, { jobs: ['u'] });

    // An answer without the job's one declared output, and a verdict that denies a pass: both
    // passed before the patch 'answers-parsed-strictly'; recorded with the build before it.
    ollama.respond = (req) => (isVerification(req) ? { content: 'The output does not pass.' } : { content: block('out/other.txt', 'x') });
    await scenario(h, ollama, 'answers', { ollamaUrl: ollama.url, jobs: { s: simpleJob('s') } }, { jobs: ['s'] });

    // An edit job whose target is longer than max_output_lines and whose edits are short: it
    // failed on the edited file's length before the patch 'output-lines-count-what-the-model-wrote'
    // and passes since (max_output_lines limits what the model wrote); recorded with the build before.
    ollama.respond = (req) => (isVerification(req) ? { content: 'PASS' } : { content: 'FILE: src/long.txt\nFIND:\nline 6\nREPLACE:\nline 6\nadded\nEND\n' });
    const long = Array.from({ length: 12 }, (_, i) => `line ${i + 1}`).join('\n') + '\n';
    await scenario(h, ollama, 'outlines', { ollamaUrl: ollama.url, toml: '\n[limits]\nmax_output_lines = 10\n', files: { 'src/long.txt': long, 'jobs/_systemprompt_edit.md': 'EDIT RULES\n' }, jobs: { e: { fm: { mode: 'edit', output_dir: 'src', output_file: 'long.txt' } } } }, { jobs: ['e'] });

    // A verdict that says "pass" inside a word and rejects the file: a pass before the patch
    // 'verdict-words' (recorded with the build before it, as verdicts-before-*); since the patch
    // 'verdicts-structured' the call asks for JSON, and a JSON FAIL then PASS is a retry
    // (verdicts-after-*).
    let verified = 0;
    ollama.respond = (req) => {
      if (!isVerification(req)) return { content: block(`out/${jobOf(req)}.txt`, 'x') };
      if (!req.body.format) return { content: 'The code stores the password in plain text. Reject it.' };
      return { content: verified++ === 0 ? '{"verdict":"FAIL","reason":"the password is stored in plain text"}' : '{"verdict":"PASS","reason":"fixed"}' };
    };
    await scenario(h, ollama, 'verdicts', { ollamaUrl: ollama.url, jobs: { v: simpleJob('v') } }, { jobs: ['v'] });

    // A job file written while the batch runs, joined by the addJobs update (patch
    // 'jobs-added-while-running'), and one refused (it needs a job that failed).
    ollama.respond = (req) => {
      const id = jobOf(req);
      if (isVerification(req)) return { content: id === 'bad' ? 'FAIL: wrong' : 'PASS' };
      return { content: block(`out/${id}.txt`, 'x'), latencyMs: id === 'hold' ? 1500 : 0 };
    };
    await scenario(h, ollama, 'additions', { ollamaUrl: ollama.url, jobs: { hold: simpleJob('hold'), bad: simpleJob('bad') } }, {
      jobs: ['late'],
      during: async (handle, root) => {
        // Looked up by name: builds before the update have no such definition (this file is also
        // run with them to record their histories).
        const { addJobsUpdate } = require('../../workflows/messages') as { addJobsUpdate: Parameters<typeof handle.executeUpdate>[0] };
        await waitFor(async () => (await handle.query(progressQuery)).jobs.bad?.state === 'failed', 30_000, 'bad to fail');
        writeFileSync(path.join(root, 'jobs', 'late.md'), jobText(simpleJob('late'), 'late'));
        writeFileSync(path.join(root, 'jobs', 'needsbad.md'), jobText(simpleJob('needsbad', { depends_on: ['bad'] }), 'needsbad'));
        await handle.executeUpdate(addJobsUpdate);
      },
    });
  } catch (e) {
    console.error(e);
    process.exit(1);
  } finally {
    await ollama.stop();
    await h.close();
    await env.teardown();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
