// Big payloads (issue 17, item 3): job files, context files and model answers over
// [limits] max_file_bytes fail with LimitExceeded naming the file and the cap, inside the
// activities, before anything reaches workflow history; the batch ends, the other jobs run.
import { mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LimitExceededError, readBoundedFile } from '../../project/project-fs';
import { runBatch } from '../support/harness';
import { makeProject, simpleJob } from '../support/project';
import { block, isVerification, jobOf } from '../support/replies';
import { useServers, readStatuses } from '../support/servers';

const t = useServers();

test('a 50 MB job file fails by name with the cap; the batch ends and the other job passes', async () => {
  const root = makeProject({ ollamaUrl: t.ollama.url, jobs: { good: simpleJob('good') } });
  writeFileSync(path.join(root, 'jobs', 'huge.md'), `---\noutput_dir: out\noutput_file: huge.txt\n---\nJOB huge\n${'x'.repeat(50 * 1024 * 1024)}\n`);
  t.ollama.respond = (req) => (isVerification(req) ? { content: 'PASS' } : { content: block(`out/${jobOf(req)}.txt`, 'ok') });
  const r = await runBatch(t.h, root);
  expect(r.jobs.good.state).toBe('passed');
  expect(r.jobs.huge.state).toBe('failed');
  expect(r.jobs.huge.reason).toMatch(/jobs\/huge\.md: is 50\.0 MB, over the 256 kB limit \(\[limits\] max_file_bytes\)/);
  expect(readStatuses(root).huge.status).toBe('fail');
}, 120_000);

test('a model answer over the cap fails at once (LimitExceeded, no retries), naming the cap', async () => {
  const root = makeProject({ ollamaUrl: t.ollama.url, toml: '[limits]\nmax_file_bytes = 100000\n', jobs: { big: simpleJob('big', { verify: false }), small: simpleJob('small', { verify: false }) } });
  let bigCalls = 0;
  t.ollama.respond = (req) => {
    const id = jobOf(req);
    if (id === 'small') return { content: block('out/small.txt', 'ok') };
    bigCalls++;
    return { content: block('out/big.txt', 'y'.repeat(3 * 1024 * 1024)), chunks: 50 };
  };
  const r = await runBatch(t.h, root);
  expect(r.jobs.small.state).toBe('passed');
  expect(r.jobs.big.state).toBe('failed');
  expect(r.jobs.big.reason).toMatch(/answer of .* is 3\.0 MB, over the 98 kB limit \(\[limits\] max_file_bytes\)/);
  expect(bigCalls).toBe(1);
}, 120_000);

test('a context file over the cap fails the job by name before the model is asked', async () => {
  const root = makeProject({
    ollamaUrl: t.ollama.url,
    toml: '[limits]\nmax_context_lines = 100000000\n',
    jobs: { ctx: simpleJob('ctx', { context_files: ['src/big.ts'] }) },
    files: { 'src/big.ts': 'z'.repeat(600 * 1024) },
  });
  let calls = 0;
  t.ollama.respond = () => {
    calls++;
    return { content: 'PASS' };
  };
  const r = await runBatch(t.h, root);
  expect(r.jobs.ctx.state).toBe('failed');
  expect(r.jobs.ctx.reason).toMatch(/src\/big\.ts: is 600 kB, over the 256 kB limit \(\[limits\] max_file_bytes\)/);
  expect(calls).toBe(0);
}, 120_000);

test('the cap is exact: a file of max_file_bytes is read whole, one byte more is refused', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ws-cap-'));
  writeFileSync(path.join(dir, 'at.txt'), 'a'.repeat(1000));
  writeFileSync(path.join(dir, 'over.txt'), 'a'.repeat(1001));
  const opts = { maxBytes: 1000, setting: '[limits] max_file_bytes' };
  expect((await readBoundedFile(path.join(dir, 'at.txt'), 'at.txt', opts)).length).toBe(1000);
  const err = await readBoundedFile(path.join(dir, 'over.txt'), 'over.txt', opts).catch((e) => e);
  expect(err).toBeInstanceOf(LimitExceededError);
  expect(err.message).toBe('over.txt: is 1001 bytes, over the 1000 bytes limit ([limits] max_file_bytes)');
});
