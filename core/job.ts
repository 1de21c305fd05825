// The job model: what a validated job file says, independent of how it was read.
// Pure types and helpers, importable from workflows.
import { printable } from './printable';

export const JOB_MODES = ['replace', 'edit', 'split', 'replace_pattern', 'update_fixtures'] as const;
export type JobMode = (typeof JOB_MODES)[number];

/** A job file's frontmatter after validation, with defaults filled in. Paths are normalized
 * project-relative POSIX paths. */
export interface JobSpec {
  id: string;
  mode: JobMode;
  contextFiles: string[];
  outputDir: string;
  outputFile: string;
  /** `outputDir/outputFile`, the job's primary output. */
  outputPath: string;
  outputFiles?: string[];
  sequential: boolean;
  targetFiles?: string[];
  targetFile?: string;
  testFile?: string;
  verify: boolean;
  dependsOn: string[];
  structName?: string;
  newField?: string;
  /** The markdown body: the instructions given to the model verbatim. */
  instructions: string;
}

/** A problem with one job file, naming the file and, where there is one, the field. */
export interface JobProblem {
  file: string;
  field?: string;
  message: string;
}

export function formatProblem(p: JobProblem): string {
  const file = printable(p.file);
  return p.field ? `${file}: ${p.field}: ${p.message}` : `${file}: ${p.message}`;
}

/** Every path the job writes. Sequential and split jobs write their `output_files`;
 * others write the primary output (plus the test file in TDD). */
export function declaredOutputs(job: JobSpec): string[] {
  const outs: string[] = [];
  if (job.testFile) outs.push(joinPath(job.outputDir, job.testFile));
  if (job.outputFiles && job.outputFiles.length > 0) outs.push(...job.outputFiles);
  else if (job.mode === 'edit' || job.mode === 'replace_pattern' || job.mode === 'update_fixtures') {
    outs.push(...(job.targetFiles && job.targetFiles.length > 0 ? job.targetFiles : [job.outputPath]));
  } else outs.push(job.outputPath);
  return unique(outs);
}

/** Files the job reads as input (context and targets); used for dependency detection. */
export function declaredInputs(job: JobSpec): string[] {
  const ins = [...job.contextFiles, ...(job.targetFiles ?? [])];
  if (job.targetFile) ins.push(job.targetFile);
  return unique(ins);
}

export function joinPath(dir: string, file: string): string {
  const d = dir.replace(/\/+$/, '');
  if (d === '' || d === '.') return file;
  return `${d}/${file}`;
}

function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

/** The lint command run on some files: the files appended, each shell-quoted, and a name that
 * starts with "-" written as "./-…" so that no tool reads it as an option. */
export function commandOnFiles(command: string, paths: string[]): string {
  return `${command} ${paths.map((p) => (p.startsWith('-') ? `./${p}` : p)).map((p) => `'${p.replace(/'/g, `'\\''`)}'`).join(' ')}`;
}
