// Reading the jobs/ folder: every job file parsed and validated (a bad file is reported, never
// fatal for the others). Shared by the planning activity and the CLI's offline commands.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { JobProblem, JobSpec } from '../core/job';
import { parseJobFile } from '../core/job-parse';

export interface JobFolder {
  /** Every job id found (valid or not), sorted. */
  ids: string[];
  jobs: JobSpec[];
  /** Problems per job id. */
  problems: Record<string, JobProblem[]>;
  warnings: JobProblem[];
}

export class NoJobsFolderError extends Error {
  constructor(root: string) {
    super(`no jobs/ folder in ${root}: run "worksplit init" there, or pass the project folder`);
    this.name = 'NoJobsFolderError';
  }
}

export async function listJobIds(root: string): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(path.join(root, 'jobs'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new NoJobsFolderError(root);
    throw e;
  }
  return names.filter((n) => n.endsWith('.md') && !n.startsWith('_')).map((n) => n.slice(0, -3)).sort();
}

export async function readJobFile(root: string, id: string, maxContextFiles: number) {
  const text = await fs.readFile(path.join(root, 'jobs', `${id}.md`), 'utf8');
  return parseJobFile(`jobs/${id}.md`, text, { maxContextFiles });
}

export async function readJobFolder(root: string, maxContextFiles: number): Promise<JobFolder> {
  const ids = await listJobIds(root);
  const out: JobFolder = { ids, jobs: [], problems: {}, warnings: [] };
  await Promise.all(
    ids.map(async (id) => {
      const r = await readJobFile(root, id, maxContextFiles);
      out.warnings.push(...r.warnings);
      if (r.ok) out.jobs.push(r.job);
      else out.problems[id] = r.problems;
    }),
  );
  out.jobs.sort((a, b) => (a.id < b.id ? -1 : 1));
  return out;
}
