// Parse and validate one job file (markdown + YAML frontmatter, read with gray-matter) into a
// JobSpec. Pure: takes the file's text, returns the spec or every problem found, each naming the field.
import { load as loadYaml } from 'js-yaml';
import { describeValue, listField, objectField, oneOfField, booleanField, readFields, stringField } from './fields';
import { JOB_MODES, JobProblem, JobSpec, joinPath } from './job';
import { UnsafePathError, assertWritablePath, normalizeProjectPath } from './paths';

export const JOB_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export interface ParseOptions {
  maxContextFiles: number;
}

export type ParseResult =
  | { ok: true; job: JobSpec; warnings: JobProblem[] }
  | { ok: false; problems: JobProblem[]; warnings: JobProblem[] };

// A list written as YAML null (`context_files:` with nothing under it) counts as empty.
const pathList = listField(stringField());
const optionalString = stringField().optional();

const frontmatterSchema = objectField({
  mode: oneOfField(JOB_MODES, `must be one of ${JOB_MODES.join(', ')} ("create" is not a mode; replace is the default)`).default('replace'),
  context_files: pathList.default([]),
  output_dir: stringField({ missing: 'is required (the folder the output file lives in)' }),
  output_file: stringField({ missing: 'is required (the output file name)' }),
  output_files: pathList.optional(),
  sequential: booleanField().default(false),
  target_files: pathList.optional(),
  target_file: optionalString,
  test_file: optionalString,
  verify: booleanField().default(true),
  depends_on: pathList.optional(),
  struct_name: optionalString,
  new_field: optionalString,
});

type GrayMatter = typeof import('gray-matter');
let grayMatter: GrayMatter | undefined;

/** gray-matter, loaded when the first job file is read: commands that read none (status, readme,
 * new-job) never load it. */
function matter(): GrayMatter {
  if (!grayMatter) {
    standInForBundledYaml();
    grayMatter = require('gray-matter') as GrayMatter;
  }
  return grayMatter;
}

/** gray-matter loads its own js-yaml 3 (and with it esprima: 30 modules, 10-30 ms of a command)
 * for its default engines, which MATTER_OPTIONS replace with js-yaml 4's load. Its copy is stood
 * in for by one that refuses to be used; never our own js-yaml, should the two ever be one. */
function standInForBundledYaml(): void {
  const main = require.resolve('gray-matter');
  const bundled = require.resolve('js-yaml', { paths: [main.slice(0, Math.max(main.lastIndexOf('/'), main.lastIndexOf('\\')))] });
  if (bundled === require.resolve('js-yaml') || require.cache[bundled]) return;
  const refuse = () => {
    throw new Error("gray-matter's own js-yaml is not used: job files are read with js-yaml 4");
  };
  require.cache[bundled] = { id: bundled, filename: bundled, loaded: true, exports: { safeLoad: refuse, safeDump: refuse } } as unknown as NodeModule;
}

/** gray-matter's options: its YAML engine is js-yaml 4's load, whose default schema is the safe
 * one (no functions or other executable types), instead of the js-yaml 3 it ships with; the
 * languages it could also run after the opening "---" (JavaScript is eval'd) are refused. */
const MATTER_OPTIONS = {
  language: 'yaml',
  engines: {
    yaml: { parse: (text: string) => loadYaml(text) as object },
    javascript: { parse: refuseLanguage },
    json: { parse: refuseLanguage },
    coffee: { parse: refuseLanguage },
  },
};

function refuseLanguage(): never {
  throw new Error('the frontmatter must be YAML (a language name after the opening "---" is not allowed)');
}

/** A job file's frontmatter (its YAML, parsed) and body, read with gray-matter. CRLF and a UTF-8
 * BOM are accepted. The frontmatter starts with a first line "---" and ends at the next line
 * that starts with "---" (an indented one is YAML, a block scalar's text). */
export function readFrontmatter(text: string): { data: unknown; body: string } | { error: string } {
  const t = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  if (t.split('\n', 1)[0].trimEnd() !== '---') {
    return { error: 'has no frontmatter: the file must start with a line "---", then YAML fields, then "---"' };
  }
  // Where gray-matter closes it; without one it would take the whole file as YAML.
  if (t.indexOf('\n---', 3) < 0) return { error: 'frontmatter is not closed: no second "---" line' };
  try {
    const file = matter()(t, MATTER_OPTIONS);
    return { data: file.data, body: file.content };
  } catch (e) {
    const reason = (e as Error).message.split('\n')[0].slice(0, 200);
    return { error: `invalid YAML in frontmatter: ${reason}` };
  }
}

export function parseJobFile(fileName: string, text: string, opts: ParseOptions): ParseResult {
  const file = fileName.includes('/') ? fileName : `jobs/${fileName}`;
  const base = file.split('/').pop()!;
  const id = base.replace(/\.md$/, '');
  const problems: JobProblem[] = [];
  const warnings: JobProblem[] = [];
  const fail = () => ({ ok: false as const, problems, warnings });

  if (!JOB_ID_PATTERN.test(id)) {
    problems.push({ file, message: `job id ${JSON.stringify(id)} must be letters, digits, ".", "_" or "-" (no spaces or path separators)` });
  }
  const split = readFrontmatter(text);
  if ('error' in split) {
    problems.push({ file, message: split.error });
    return fail();
  }
  const data = (split.data ?? {}) as Record<string, unknown>;
  // YAML aliases (*name) repeat a whole structure by reference; nested, a few hundred bytes stand
  // for billions of values, which validation or an error message would then walk.
  if (!withinSize(data, MAX_FRONTMATTER_VALUES)) {
    problems.push({ file, message: `frontmatter holds more than ${MAX_FRONTMATTER_VALUES} values (a YAML alias, *name, counts its values each time it is used); a job needs far fewer` });
    return fail();
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    problems.push({ file, message: `frontmatter must be YAML fields (name: value), not ${describeValue(data)}` });
    return fail();
  }
  for (const key of frontmatterSchema.unknownKeys(data)) warnings.push({ file, field: key, message: 'unknown field (ignored)' });
  const { value: fm, issues } = readFields(frontmatterSchema, data);
  if (issues.length > 0) {
    for (const issue of issues) problems.push({ file, field: issue.path, message: issue.message });
    return fail();
  }
  const instructions = split.body.trim();
  if (instructions === '') problems.push({ file, message: 'the job body is empty: write the instructions for the model below the frontmatter' });

  const readable = (field: string, v: string | undefined): string | undefined => {
    if (v === undefined) return undefined;
    try {
      const p = normalizeProjectPath(v);
      if (p === '.') throw new UnsafePathError(v, 'names the project root, not a file');
      return p;
    } catch (e) {
      problems.push({ file, field, message: (e as Error).message });
      return undefined;
    }
  };
  const writable = (field: string, v: string | undefined): string | undefined => {
    if (v === undefined) return undefined;
    try {
      return assertWritablePath(v);
    } catch (e) {
      problems.push({ file, field, message: (e as Error).message });
      return undefined;
    }
  };
  const list = (field: string, vs: string[] | undefined, check: typeof readable): string[] | undefined =>
    vs?.map((v, i) => {
      if (v.trim() === '') problems.push({ file, field: `${field}[${i}]`, message: 'is empty' });
      return check(`${field}[${i}]`, v) ?? '';
    });

  if (fm.output_file.trim() === '') problems.push({ file, field: 'output_file', message: 'must not be empty' });
  let outputDir = '.';
  try {
    outputDir = normalizeProjectPath(fm.output_dir === '' ? '.' : fm.output_dir);
  } catch (e) {
    problems.push({ file, field: 'output_dir', message: (e as Error).message });
  }
  const outputPath = writable('output_file', joinPath(outputDir, fm.output_file.trim())) ?? '';
  const contextFiles = list('context_files', fm.context_files, readable) ?? [];
  const outputFiles = list('output_files', fm.output_files, writable);
  const targetFiles = list('target_files', fm.target_files, writable);
  const targetFile = readable('target_file', fm.target_file);
  if (fm.test_file !== undefined) {
    if (fm.test_file.trim() === '') problems.push({ file, field: 'test_file', message: 'must not be empty' });
    else writable('test_file', joinPath(outputDir, fm.test_file.trim()));
  }
  const dependsOn = fm.depends_on ?? [];
  dependsOn.forEach((d, i) => {
    if (d === id) problems.push({ file, field: `depends_on[${i}]`, message: 'a job cannot depend on itself' });
    else if (!JOB_ID_PATTERN.test(d)) problems.push({ file, field: `depends_on[${i}]`, message: `${JSON.stringify(d)} is not a job id` });
  });
  if (outputFiles !== undefined && outputFiles.length === 0) {
    problems.push({ file, field: 'output_files', message: 'must list at least one file when given' });
  }
  if (contextFiles.length > opts.maxContextFiles) {
    problems.push({ file, field: 'context_files', message: `lists ${contextFiles.length} files; the limit is ${opts.maxContextFiles} ([limits] max_context_files)` });
  }

  // Mode rules (SPEC §1).
  const need = (cond: boolean, field: string, message: string) => {
    if (!cond) problems.push({ file, field, message });
  };
  if (fm.mode === 'edit') need(!fm.sequential, 'sequential', 'edit mode cannot be sequential');
  if (fm.mode === 'split') {
    need(targetFile !== undefined, 'target_file', 'split mode needs target_file (the large file to split)');
    need(outputFiles !== undefined, 'output_files', 'split mode needs output_files (the parts to write)');
    need(!fm.sequential, 'sequential', 'split mode cannot be sequential');
  }
  if (fm.mode === 'replace_pattern') need((targetFiles?.length ?? 0) > 0, 'target_files', 'replace_pattern mode needs target_files');
  if (fm.mode === 'update_fixtures') {
    need((targetFiles?.length ?? 0) > 0, 'target_files', 'update_fixtures mode needs target_files');
    need(!!fm.struct_name?.trim(), 'struct_name', 'update_fixtures mode needs struct_name');
    need(!!fm.new_field?.trim(), 'new_field', 'update_fixtures mode needs new_field');
  }
  if (fm.sequential && outputFiles === undefined) {
    problems.push({ file, field: 'sequential', message: 'sequential needs output_files (one model call per file)' });
  }
  if (problems.length > 0) return fail();

  const job: JobSpec = {
    id,
    mode: fm.mode,
    contextFiles,
    outputDir,
    outputFile: fm.output_file.trim(),
    outputPath,
    sequential: fm.sequential,
    verify: fm.verify,
    dependsOn,
    instructions,
  };
  if (outputFiles) job.outputFiles = outputFiles;
  if (targetFiles) job.targetFiles = targetFiles;
  if (targetFile) job.targetFile = targetFile;
  if (fm.test_file !== undefined) job.testFile = fm.test_file.trim();
  if (fm.struct_name !== undefined) job.structName = fm.struct_name;
  if (fm.new_field !== undefined) job.newField = fm.new_field;
  return { ok: true, job, warnings };
}

/** The most values a frontmatter may hold with its aliases expanded. */
export const MAX_FRONTMATTER_VALUES = 10_000;

/** Whether `v`, with shared (aliased) parts counted each time they appear, has at most `max`
 * values. Stops as soon as the count is over, so a bomb costs `max` steps. */
function withinSize(v: unknown, max: number): boolean {
  let count = 0;
  const stack: unknown[] = [v];
  while (stack.length > 0) {
    const x = stack.pop();
    if (++count > max) return false;
    // Binary data (!!binary) is one value, not one per byte.
    const children = Array.isArray(x) ? x : typeof x === 'object' && x !== null && !(x instanceof Date) && !(x instanceof Uint8Array) ? Object.values(x) : [];
    for (const c of children) {
      if (count + stack.length >= max) return false;
      stack.push(c);
    }
  }
  return true;
}
