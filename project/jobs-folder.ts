// Which jobs the jobs/ folder holds, by name, without opening any job file: enough for the
// commands that only list jobs (status, reset, archive), which then need not load the job
// parser (YAML and the field reader).
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { fileKind } from './project-fs';

export class NoJobsFolderError extends Error {
  /** `found`: what is there in the folder's place (a file, a FIFO...), if anything. */
  constructor(root: string, found?: string) {
    super(found ? `jobs/ in ${root} is ${found}, not a folder: move it aside and run "worksplit init" there` : `no jobs/ folder in ${root}: run "worksplit init" there, or pass the project folder`);
    this.name = 'NoJobsFolderError';
  }
}

export interface JobsFolderScan {
  /** Jobs whose *.md is a regular file (or a symlink to one), sorted. */
  ids: string[];
  /** Names ending in .md that are no file: a folder, FIFO, device or broken link. */
  notFiles: Array<{ file: string; kind: string }>;
}

/** The *.md entries of jobs/ (not the _* files), without opening any of them. */
export async function scanJobsFolder(root: string): Promise<JobsFolderScan> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await fs.readdir(path.join(root, 'jobs'), { withFileTypes: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new NoJobsFolderError(root);
    if (code === 'ENOTDIR') {
      const st = await fs.stat(path.join(root, 'jobs'));
      throw new NoJobsFolderError(root, st.isFile() ? 'a file' : fileKind(st));
    }
    throw e;
  }
  const out: JobsFolderScan = { ids: [], notFiles: [] };
  for (const d of entries) {
    if (!d.name.endsWith('.md') || d.name.startsWith('_')) continue;
    // stat follows a symlink without opening its target (opening a FIFO would wait for a writer).
    const st = d.isFile() ? undefined : await fs.stat(path.join(root, 'jobs', d.name)).catch(() => null);
    if (st === null) out.notFiles.push({ file: `jobs/${d.name}`, kind: 'a symlink to nothing' });
    else if (st && !st.isFile()) out.notFiles.push({ file: `jobs/${d.name}`, kind: fileKind(st) });
    else out.ids.push(d.name.slice(0, -3));
  }
  out.ids.sort();
  return out;
}

export async function listJobIds(root: string): Promise<string[]> {
  return (await scanJobsFolder(root)).ids;
}
