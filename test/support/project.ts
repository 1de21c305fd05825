// Temporary WorkSplit projects for tests: job files, system prompts, config, context files.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface TestJob {
  /** Frontmatter fields, written as YAML. */
  fm: Record<string, unknown>;
  body?: string;
}

export interface TestProjectSpec {
  jobs: Record<string, TestJob | string>;
  files?: Record<string, string>;
  /** Extra worksplit.toml text (appended after the [temporal] section). */
  toml?: string;
  /** Extra keys of the [ollama] section. */
  ollamaToml?: string;
  ollamaUrl: string;
  model?: string;
  /** Queue prefix; unique per test so workers of different tests never share a queue. */
  queuePrefix?: string;
}

export function yamlValue(v: unknown): string {
  if (Array.isArray(v)) return v.length === 0 ? '[]' : `\n${v.map((x) => `  - ${JSON.stringify(x)}`).join('\n')}`;
  if (v === null) return '';
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

export function jobText(job: TestJob | string, id: string): string {
  if (typeof job === 'string') return job;
  const fm = Object.entries(job.fm).map(([k, v]) => `${k}: ${yamlValue(v)}`).join('\n');
  return `---\n${fm}\n---\n\n${job.body ?? `JOB ${id}: write the file.`}\n`;
}

let counter = 0;

export function makeProject(spec: TestProjectSpec): string {
  const root = mkdtempSync(path.join(process.env.WORKSPLIT_TEST_TMP ?? os.tmpdir(), 'proj-'));
  mkdirSync(path.join(root, 'jobs'), { recursive: true });
  writeFileSync(path.join(root, 'jobs', '_systemprompt_create.md'), 'You are a careful engineer. (test create prompt)\n');
  writeFileSync(path.join(root, 'jobs', '_systemprompt_verify.md'), 'You review code strictly. (test verify prompt)\n');
  const prefix = spec.queuePrefix ?? `t${process.pid}-${++counter}-${Math.random().toString(36).slice(2, 8)}`;
  writeFileSync(
    path.join(root, 'worksplit.toml'),
    `[ollama]\nurl = "${spec.ollamaUrl}"\nmodel = "${spec.model ?? 'qwen-32k:latest'}"\n${spec.ollamaToml?.includes('stall_seconds') ? '' : 'stall_seconds = 20\n'}${spec.ollamaToml ?? ''}\n[temporal]\ntask_queue = "${prefix}"\nheartbeat_seconds = 3\nactivity_seconds = 10\n${spec.toml ?? ''}`,
  );
  for (const [id, job] of Object.entries(spec.jobs)) writeFileSync(path.join(root, 'jobs', `${id}.md`), jobText(job, id));
  for (const [rel, content] of Object.entries(spec.files ?? {})) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), content);
  }
  return root;
}

/** A replace job writing `out/<id>.txt`. */
export function simpleJob(id: string, extra: Record<string, unknown> = {}): TestJob {
  return { fm: { output_dir: 'out', output_file: `${id}.txt`, ...extra } };
}
