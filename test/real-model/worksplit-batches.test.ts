// worksplit batches on a real instruct model: SmolLM2-135M-Instruct (scripts/real-model/fetch.sh)
// on the real Ollama 0.17.4 (scripts/real-ollama/build.sh), through a recording proxy on loopback
// that keeps every request and Ollama's own answer. A 135M model writes poor code and poorer
// verdicts, so which jobs pass is not asserted; what is asserted holds whatever it answers
// (checks.ts): every job ends passed, failed or skipped with a one-line reason, no job is left
// pending_*, each job's tokens are Ollama's own counts, and no file is written from an answer
// that was not complete. Answers are bounded (num_predict, max_output_lines) so the tier takes
// minutes on two cores.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { forgetModelFacts } from '../../ollama-api/model-facts';
import { Harness, connectTestServer, runBatch } from '../support/harness';
import { makeProject } from '../support/project';
import { RealOllama, RecordingProxy, startRealOllama, startRecordingProxy } from '../support/real-ollama';
import { checkBatch, checkStatusFile, jobBodies, snapshot } from './checks';

/** Model options for every test project: deterministic answers. worksplit bounds each answer
 * itself (num_predict from max_output_lines, MAX_OUTPUT_LINES here: 10 tokens a line, twice that
 * for edit and pattern answers); an answer that reaches it fails its job. */
const OLLAMA_TOML = 'stall_seconds = 120\noptions = { temperature = 0, seed = 1 }\n';
const MAX_OUTPUT_LINES = 8;

let h: Harness;
let ollama: RealOllama;
let proxy: RecordingProxy;

beforeAll(async () => {
  h = await connectTestServer();
  ollama = await startRealOllama({ weights: 'smollm2', numParallel: 1 });
  proxy = await startRecordingProxy(ollama.url);
}, 120_000);
afterAll(async () => {
  await proxy?.stop();
  await ollama?.stop();
  await h?.close();
});
afterEach(() => forgetModelFacts());

let queues = 0;
const queue = () => `realmodel${process.pid}-${++queues}`;

/** examples/demo in a temporary folder, pointed at the proxy and the model, with small limits. */
function demoProject(): string {
  const root = mkdtempSync(path.join(process.env.WORKSPLIT_TEST_TMP ?? os.tmpdir(), 'demo-'));
  cpSync(path.join(__dirname, '../../examples/demo'), root, { recursive: true });
  const file = path.join(root, 'worksplit.toml');
  const toml = readFileSync(file, 'utf8')
    .replace(/^url = .*$/m, `url = "${proxy.url}"`)
    .replace(/^model = .*$/m, `model = "${ollama.model}"\n${OLLAMA_TOML}`)
    .replace(/^max_output_lines = .*$/m, `max_output_lines = ${MAX_OUTPUT_LINES}`);
  if (toml === readFileSync(file, 'utf8')) throw new Error('examples/demo/worksplit.toml changed shape: url, model and max_output_lines not found');
  writeFileSync(file, `${toml}\n[temporal]\ntask_queue = "${queue()}"\nheartbeat_seconds = 3\n`);
  return root;
}

/** One job of each mode that asks a model: replace, sequential, split, edit, replace_pattern,
 * and TDD (test_file). The instructions are this file's own. */
function modesProject(): string {
  return makeProject({
    ollamaUrl: proxy.url,
    model: ollama.model,
    ollamaToml: OLLAMA_TOML,
    queuePrefix: queue(),
    toml: `[limits]\nmax_output_lines = ${MAX_OUTPUT_LINES}\n`,
    files: {
      'jobs/_systemprompt_edit.md': 'Change only what the instructions ask. Keep everything else as it is.\n',
      'jobs/_systemprompt_split.md': 'Move code between files without changing what it does.\n',
      'jobs/_systemprompt_test.md': 'Write short Jest tests in TypeScript.\n',
      'src/config.ts': 'export const config = {\n  host: "localhost",\n  port: 8080,\n};\n',
      'src/user.ts': 'export interface User {\n  id: number;\n  name: string;\n}\n',
      'src/shapes.ts': [
        'export function square(x: number): number {',
        '  return x * x;',
        '}',
        '',
        'export function cube(x: number): number {',
        '  return x * x * x;',
        '}',
        '',
      ].join('\n'),
    },
    jobs: {
      a_replace: {
        fm: { output_dir: 'src', output_file: 'add.ts' },
        body: '# Add\n\nExport `add(a: number, b: number): number` that returns the sum of a and b.',
      },
      b_sequential: {
        fm: { output_dir: 'src', output_file: 'one.ts', output_files: ['src/one.ts', 'src/two.ts'], sequential: true },
        body: '# Two constants\n\nsrc/one.ts exports `const ONE = 1`. src/two.ts exports `const TWO = 2`.',
      },
      c_split: {
        fm: { mode: 'split', output_dir: 'src/shapes', output_file: 'square.ts', target_file: 'src/shapes.ts', output_files: ['src/shapes/square.ts', 'src/shapes/cube.ts'] },
        body: '# Split shapes\n\nPut `square` in src/shapes/square.ts and `cube` in src/shapes/cube.ts.',
      },
      d_edit: {
        fm: { mode: 'edit', output_dir: 'src', output_file: 'config.ts', target_files: ['src/config.ts'] },
        body: '# Port\n\nIn src/config.ts change the port from 8080 to 9090.',
      },
      e_pattern: {
        fm: { mode: 'replace_pattern', output_dir: 'src', output_file: 'user.ts', target_files: ['src/user.ts'] },
        body: '# Email\n\nAfter the line `name: string;` insert the line `email: string;`.',
      },
      f_tdd: {
        fm: { output_dir: 'src', output_file: 'double.ts', test_file: 'double.test.ts' },
        body: '# Double\n\nExport `double(n: number): number` that returns n times 2.',
      },
    },
  });
}

/** `run --rerun` after a batch: it picks exactly the jobs whose status is created (never run,
 * or skipped), whether or not they ran; the rest keep their entries untouched. */
async function rerunAndCheck(root: string, editJobs?: string[]): Promise<void> {
  const ids = [...jobBodies(root).keys()];
  const statusBefore = checkStatusFile(root, ids);
  const picked = ids.filter((id) => statusBefore.get(id)!.status === 'created');
  const before = snapshot(root);
  const from = proxy.calls.length;
  const result = await runBatch(h, root, { selection: { rerun: true }, llmCapacity: 1 });
  checkBatch({ root, result, calls: proxy.calls.slice(from), before, editJobs, selected: picked, statusBefore });
}

test('the demo folder on a real model: every job ends with a reason, tokens are Ollama\'s own, files come from complete answers; run --rerun leaves a valid status file', async () => {
  const root = demoProject();
  const before = snapshot(root);
  const from = proxy.calls.length;
  const result = await runBatch(h, root, { llmCapacity: 1 });
  const first = checkBatch({ root, result, calls: proxy.calls.slice(from), before });
  // The model was asked: the job that waits for no other one made calls.
  expect(first.calls.filter((c) => c.job === '01_types').length).toBeGreaterThanOrEqual(1);
  await rerunAndCheck(root);
}, 1_800_000);

test('one job of each mode on a real model (replace, sequential, split, edit, replace_pattern, TDD): the same holds, and after run --rerun', async () => {
  const root = modesProject();
  const before = snapshot(root);
  const from = proxy.calls.length;
  const result = await runBatch(h, root, { llmCapacity: 1 });
  const checked = checkBatch({ root, result, calls: proxy.calls.slice(from), before, editJobs: ['d_edit', 'e_pattern'] });
  // Every job asked the model (none of them waits for another).
  for (const id of Object.keys(result.jobs)) expect({ id, asked: checked.calls.some((c) => c.job === id) }).toEqual({ id, asked: true });
  await rerunAndCheck(root, ['d_edit', 'e_pattern']);
}, 1_800_000);
