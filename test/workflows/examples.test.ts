// The compatibility check: the example job folders (TypeScript and Rust, every mode between
// them, with the system prompts `init` writes) run end to end with scripted model answers;
// every job reaches its expected status and the files on disk are exactly the expected ones.
import { cpSync, mkdtempSync, readFileSync, readdirSync, statSync, appendFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseStatusFile } from '../../core/status';
import { runBatch } from '../support/harness';
import { useServers } from '../support/servers';
import { exampleReplies } from '../support/example-replies';

const EXAMPLES = path.join(__dirname, '..', '..', 'examples');
const t = useServers();

function tree(dir: string, skip: (rel: string) => boolean, base = dir): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir)) {
    const abs = path.join(dir, name);
    const rel = path.relative(base, abs).split(path.sep).join('/');
    if (skip(rel)) continue;
    if (statSync(abs).isDirectory()) Object.assign(out, tree(abs, skip, base));
    else out[rel] = readFileSync(abs, 'utf8');
  }
  return out;
}

async function runExample(name: string) {
  const root = mkdtempSync(path.join(process.env.WORKSPLIT_TEST_TMP!, `example-${name}-`));
  cpSync(path.join(EXAMPLES, name), root, { recursive: true });
  appendFileSync(path.join(root, 'worksplit.toml'), `\n[temporal]\ntask_queue = "example-${name}-${process.pid}"\n`);
  t.ollama.respond = exampleReplies(root, path.join(EXAMPLES, 'replies', name));
  const result = await runBatch(t.h, root, { overrides: { url: t.ollama.url } });
  const statuses = Object.fromEntries(parseStatusFile(readFileSync(path.join(root, 'jobs/_jobstatus.json'), 'utf8')).map((e) => [e.id, e.status]));
  const files = tree(root, (rel) => rel === 'jobs' || rel === 'worksplit.toml' || rel === '.worksplit');
  const expected = tree(path.join(EXAMPLES, 'expected', name), () => false);
  return { result, statuses, files, expected };
}

test('the TypeScript example: replace, multi-file, sequential, edit, split, TDD with its test command, replace_pattern', async () => {
  const { result, statuses, files, expected } = await runExample('typescript');
  expect(Object.values(result.jobs).filter((j) => j.state !== 'passed')).toEqual([]);
  expect(statuses).toEqual({ '01_model': 'pass', '02_utils': 'pass', '03_pipeline': 'pass', '04_model_edit': 'pass', '05_split_report': 'pass', '06_slug': 'pass', '07_writer_logging': 'pass' });
  expect(result.jobs['06_slug'].retried).toBe(true);
  expect(result.jobs['04_model_edit'].reason).toBe('the threshold could be a named constant');
  expect(files).toEqual(expected);
});

test('the Rust example: replace, edit, update_fixtures, replace_pattern, sequential, split', async () => {
  const { result, statuses, files, expected } = await runExample('rust');
  expect(Object.values(result.jobs).filter((j) => j.state !== 'passed')).toEqual([]);
  expect(statuses).toEqual({ '01_config': 'pass', '02_cost_edit': 'pass', '03_fixtures': 'pass', '04_trace': 'pass', '05_parse': 'pass', '06_split_math': 'pass' });
  expect(files).toEqual(expected);
});
