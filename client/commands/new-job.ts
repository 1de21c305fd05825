// `worksplit new-job NAME`: a job file from a template for each job type.
import { existsSync, mkdirSync } from 'node:fs';
import { writeFileAtomic } from '../../project/atomic-write';
import * as path from 'node:path';
import { JOB_ID_PATTERN } from '../../core/job-parse';
import { JOB_TYPES, JobType, newJobText } from '../templates';
import { Output, UsageError } from '../output';

export interface NewJobCommandOptions {
  path: string;
  type?: string;
  targets?: string;
  output?: string;
  file?: string;
  context?: string;
  force?: boolean;
}

const split = (s?: string) => (s ? s.split(',').map((x) => x.trim()).filter(Boolean) : []);

export async function newJobCommand(name: string, o: NewJobCommandOptions, out: Output): Promise<number> {
  const type = (o.type ?? 'replace') as JobType;
  if (!JOB_TYPES.includes(type)) throw new UsageError(`--type must be one of ${JOB_TYPES.join(', ')} (got "${o.type}")`);
  if (!JOB_ID_PATTERN.test(name) || name.startsWith('_')) throw new UsageError(`job name "${name}" must be letters, digits, ".", "_" or "-", not starting with "_"`);
  const jobs = path.join(o.path, 'jobs');
  if (!existsSync(jobs)) throw new UsageError(`no jobs/ folder in ${path.resolve(o.path)}: run "worksplit init" first`);
  const file = path.join(jobs, `${name}.md`);
  if (existsSync(file) && !o.force) throw new UsageError(`jobs/${name}.md exists; use --force to replace it`);
  const targets = split(o.targets);
  const outputFile = o.file ?? (targets[0] ? path.basename(targets[0]) : `${name}.ts`);
  const outputDir = o.output ?? (targets[0] ? path.dirname(targets[0]) : 'src');
  mkdirSync(jobs, { recursive: true });
  await writeFileAtomic(file, newJobText(name, { type, outputDir, outputFile, contextFiles: split(o.context), targets }), { displayName: `jobs/${name}.md` });
  out.line(`Created jobs/${name}.md (${type}). Write its instructions, then: worksplit run --job ${name}`);
  return 0;
}
