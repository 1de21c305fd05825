// Reading the jobs/ folder: every job file parsed and validated (a bad file is reported, never
// fatal for the others). Shared by the planning activity and the CLI's offline commands.
import * as path from 'node:path';
import { JobProblem, JobSpec } from '../core/job';
import { parseJobFile } from '../core/job-parse';
import { projectConfig } from './project-config';
import { LimitExceededError, NotRegularFileError, ProjectFileError, readBoundedFile } from './project-fs';
import { UnsafePathError } from '../core/paths';
import { scanJobsFolder } from './jobs-folder';

export interface JobFolder {
  /** Every job id found (valid or not), sorted. */
  ids: string[];
  jobs: JobSpec[];
  /** Problems per job id. */
  problems: Record<string, JobProblem[]>;
  warnings: JobProblem[];
}

/** One job file, parsed. Throws NotRegularFileError for a folder, FIFO or device, and
 * LimitExceededError over [limits] max_file_bytes (the job's text goes into workflow history). */
export async function readJobFile(root: string, id: string, maxContextFiles: number) {
  const rel = `jobs/${id}.md`;
  const maxBytes = (await projectConfig(root)).limits.max_file_bytes;
  const buf = await readBoundedFile(path.join(root, 'jobs', `${id}.md`), rel, { maxBytes, setting: '[limits] max_file_bytes' });
  return parseJobFile(rel, decodeJobText(rel, buf), { maxContextFiles });
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** A job file's text: UTF-8 (a BOM allowed), as WorkSplit reads it. Other bytes are refused by
 * name rather than turned into U+FFFD, which would end up in paths and prompts. */
function decodeJobText(rel: string, buf: Buffer): string {
  if ((buf[0] === 0xff && buf[1] === 0xfe) || (buf[0] === 0xfe && buf[1] === 0xff)) {
    throw new ProjectFileError(rel, 'is UTF-16 text (as some editors save it); save it as UTF-8');
  }
  try {
    return UTF8.decode(buf);
  } catch {
    const at = firstInvalidUtf8(buf);
    throw new ProjectFileError(rel, `is not valid UTF-8 (line ${buf.subarray(0, at).toString('latin1').split('\n').length}); save it as UTF-8`);
  }
}

/** The offset of the first byte that does not start a valid UTF-8 sequence (overlong forms,
 * surrogates and code points past U+10FFFF included, as the decoder refuses them). */
function firstInvalidUtf8(buf: Buffer): number {
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i];
    if (b < 0x80) continue;
    const n = b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : 0;
    if (n === 0) return i;
    // The second byte's range depends on the first (RFC 3629, section 4).
    const [lo, hi] = b === 0xe0 ? [0xa0, 0xbf] : b === 0xed ? [0x80, 0x9f] : b === 0xf0 ? [0x90, 0xbf] : b === 0xf4 ? [0x80, 0x8f] : [0x80, 0xbf];
    if (!(buf[i + 1] >= lo && buf[i + 1] <= hi)) return i;
    for (let k = 2; k <= n; k++) if ((buf[i + k] & 0xc0) !== 0x80) return i;
    i += n;
  }
  return buf.length;
}

/** Every job file. A folder, FIFO or device named *.md is reported and skipped; a file that
 * cannot be read (too large, a broken name) is that job's problem, never fatal for the others. */
export async function readJobFolder(root: string, maxContextFiles: number): Promise<JobFolder> {
  // Read worksplit.toml once before the files are read in parallel; otherwise each of them
  // would find the cache empty and parse it again (50 jobs: 50 parses, ~70 ms).
  const [scan] = await Promise.all([scanJobsFolder(root), projectConfig(root)]);
  const found = scan.ids;
  const skipped = new Set<string>();
  const out: JobFolder = { ids: [], jobs: [], problems: {}, warnings: scan.notFiles.map(({ file, kind }) => ({ file, message: `is ${kind}, not a regular file; skipped` })) };
  // Read side by side, reported in job order (Promise.all keeps the order of `found`).
  type Outcome = { skip: JobProblem } | { problems: JobProblem[] } | Awaited<ReturnType<typeof readJobFile>>;
  const outcomes = await Promise.all(
    found.map(async (id): Promise<Outcome> => {
      try {
        return await readJobFile(root, id, maxContextFiles);
      } catch (e) {
        const file = `jobs/${id}.md`;
        if (e instanceof NotRegularFileError) return { skip: { file, message: `${e.message.slice(file.length + 2)}; skipped` } };
        if (e instanceof LimitExceededError || e instanceof ProjectFileError || e instanceof UnsafePathError) {
          return { problems: [{ file, message: e.message.startsWith(`${file}: `) ? e.message.slice(file.length + 2) : e.message }] };
        }
        throw e;
      }
    }),
  );
  outcomes.forEach((r, i) => {
    const id = found[i];
    if ('skip' in r) {
      skipped.add(id);
      out.warnings.push(r.skip);
    } else if ('ok' in r) {
      out.warnings.push(...r.warnings);
      if (r.ok) out.jobs.push(r.job);
      else out.problems[id] = r.problems;
    } else {
      out.problems[id] = r.problems;
    }
  });
  out.ids = found.filter((id) => !skipped.has(id));
  out.jobs.sort((a, b) => (a.id < b.id ? -1 : 1));
  return out;
}
