// Dependencies inferred from the files jobs read and write (SPEC §4), each with the reason it was
// inferred, so a dropped one can be explained. Pure.
import { JobSpec, declaredInputs, declaredOutputs } from './job';

/** `job` waits for `dep`. `needsPass`: `job` runs only when `dep` passed (a data dependency);
 * otherwise `job` only waits for `dep` to finish, whatever its outcome (an ordering). */
export interface InferredEdge {
  job: string;
  dep: string;
  needsPass: boolean;
  reason: string;
}

/** A file written by several jobs in an order worth a warning: more than one job creates it,
 * or an edit comes before its creation. */
export interface SharedOutput {
  file: string;
  /** Every job writing it, in the order they run (job id). */
  jobIds: string[];
}

export interface FileEdges {
  edges: InferredEdge[];
  shared: SharedOutput[];
}

// Modes whose outputs are files edited in place rather than created.
const IN_PLACE_MODES = new Set(['edit', 'replace_pattern', 'update_fixtures']);

/**
 * The writers of one file run one at a time in job-id order (WorkSplit's order): an edit needs the
 * writer before it to have passed; a job creating the file again only waits for it to finish. A
 * job that reads a file other jobs write waits for all of them to pass. A writer reading its own
 * file reads the version before it, so the id order decides that too. `jobs` sorted by id.
 */
export function inferFileEdges(jobs: JobSpec[]): FileEdges {
  const writers = new Map<string, string[]>();
  const edits = new Set<string>();
  for (const job of jobs) {
    for (const out of declaredOutputs(job)) {
      writers.set(out, [...(writers.get(out) ?? []), job.id]);
      if (IN_PLACE_MODES.has(job.mode) && !job.outputFiles?.includes(out)) edits.add(key(job.id, out));
    }
  }
  const edges: InferredEdge[] = [];
  for (const job of jobs) {
    for (const p of declaredInputs(job)) {
      const ws = writers.get(p) ?? [];
      if (ws.includes(job.id)) continue;
      for (const w of ws) edges.push({ job: job.id, dep: w, needsPass: true, reason: `${job.id} reads ${p}, ${edits.has(key(w, p)) ? 'edited' : 'written'} by ${w}` });
    }
  }
  const shared: SharedOutput[] = [];
  for (const [file, ws] of writers) {
    if (ws.length < 2) continue;
    for (let i = 1; i < ws.length; i++) {
      const edit = edits.has(key(ws[i], file));
      edges.push({ job: ws[i], dep: ws[i - 1], needsPass: edit, reason: edit ? `${ws[i]} edits ${file} after ${ws[i - 1]}` : `${ws[i]} and ${ws[i - 1]} both write ${file}` });
    }
    const creators = ws.filter((w) => !edits.has(key(w, file)));
    if (creators.length > 1 || (creators.length === 1 && creators[0] !== ws[0])) shared.push({ file, jobIds: ws });
  }
  return { edges, shared };
}

function key(id: string, file: string): string {
  return `${id}\0${file}`;
}
