// The files `worksplit init` writes, rendered from templates/ (this project's own wording) for a
// language: the system prompt for every mode, the manager instruction, two example jobs and
// worksplit.toml.
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { packageRoot } from '../worker/bundle';

export const LANGUAGES = ['typescript', 'rust', 'solidity', 'python'] as const;
export type Language = (typeof LANGUAGES)[number];

type LanguageVars = Record<string, string>;

function templatesDir(): string {
  return path.join(packageRoot(), 'templates');
}

function languageVars(lang: Language): LanguageVars {
  const all = JSON.parse(readFileSync(path.join(templatesDir(), 'languages.json'), 'utf8')) as Record<Language, LanguageVars>;
  return all[lang];
}

function render(text: string, vars: LanguageVars): string {
  return text.replace(/\{\{([A-Z_]+)\}\}/g, (m, key: string) => vars[key] ?? m);
}

export interface RenderedFile {
  path: string;
  content: string;
}

export function projectFiles(lang: Language, model: string): RenderedFile[] {
  const vars = { ...languageVars(lang), MAX_CONTEXT_FILES: '2' };
  const out: RenderedFile[] = [{ path: 'worksplit.toml', content: configText(lang, model, vars) }];
  for (const dir of ['shared', 'jobs']) {
    for (const name of readdirSync(path.join(templatesDir(), dir)).sort()) {
      out.push({ path: `jobs/${name}`, content: render(readFileSync(path.join(templatesDir(), dir, name), 'utf8'), vars) });
    }
  }
  return out;
}

function configText(lang: Language, model: string, vars: LanguageVars): string {
  return `# worksplit configuration (WorkSplit-compatible). Every key is optional.
[project]
language = "${lang}"

[ollama]
url = "http://localhost:11434"
model = "${model}"
timeout_seconds = 300

[limits]
max_output_lines = 900
max_context_lines = 1000
max_context_files = 2

[behavior]
stream_output = true
create_output_dirs = true

[build]
# build_command = "${vars.build_command}"
# test_command = "${vars.test_command}"
# lint_command = "${vars.lint_command}"
verify_build = false
verify_tests = false
auto_fix = true
auto_fix_attempts = 2

[batch]
max_concurrent = 4
stop_on_fail = false
`;
}

export const JOB_TYPES = ['replace', 'edit', 'split', 'sequential', 'tdd'] as const;
export type JobType = (typeof JOB_TYPES)[number];

export interface NewJobOptions {
  type: JobType;
  outputDir: string;
  outputFile: string;
  contextFiles: string[];
  targets: string[];
}

/** The instructions `new-job` writes, to be replaced by the real ones (validate warns until they
 * are). */
export const NEW_JOB_PLACEHOLDERS: Record<JobType, string> = {
  replace: 'Describe the file to write: its exports, their exact signatures, and what each does, including edge cases.',
  edit: 'Describe the change: which function, what to add or change, and what must stay as it is.',
  split: 'Describe how to split the target file: which functions and types go into which part.',
  sequential: 'Describe each file in order; later files may use what earlier ones define.',
  tdd: 'Describe the behaviour to test and implement, with example inputs and outputs.',
};

/** A new job file of the given type, with the fields that type needs and a body to fill in. */
export function newJobText(name: string, o: NewJobOptions): string {
  const list = (xs: string[]) => (xs.length === 0 ? ' []' : `\n${xs.map((x) => `  - ${x}`).join('\n')}`);
  const fm: string[] = [];
  if (o.type === 'edit' || o.type === 'split') fm.push(`mode: ${o.type}`);
  fm.push(`context_files:${list(o.contextFiles)}`);
  if (o.type === 'edit') fm.push(`target_files:${list(o.targets.length > 0 ? o.targets : [joinOut(o)])}`);
  if (o.type === 'split') fm.push(`target_file: ${o.targets[0] ?? 'src/large_file'}`);
  fm.push(`output_dir: ${o.outputDir}`, `output_file: ${o.outputFile}`);
  if (o.type === 'sequential' || o.type === 'split') {
    const base = o.outputFile.replace(/\.[^.]+$/, '');
    const ext = path.extname(o.outputFile);
    fm.push(`output_files:${list([`${o.outputDir.replace(/\/$/, '')}/${base}_part1${ext}`, `${o.outputDir.replace(/\/$/, '')}/${base}_part2${ext}`])}`);
  }
  if (o.type === 'sequential') fm.push('sequential: true');
  if (o.type === 'tdd') fm.push(`test_file: ${o.outputFile.replace(/(\.[^.]+)$/, '.test$1')}`);
  return `---\n${fm.join('\n')}\n---\n\n# ${name.replace(/[_-]+/g, ' ')}\n\n${NEW_JOB_PLACEHOLDERS[o.type]}\n`;
}

function joinOut(o: NewJobOptions): string {
  return `${o.outputDir.replace(/\/$/, '')}/${o.outputFile}`;
}
