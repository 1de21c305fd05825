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

/** Several jobs creating one file: they run one after another in id order. */
export interface SharedOutput {
  file: string;
  jobIds: string[];
}

export interface FileEdges {
  edges: InferredEdge[];
  shared: SharedOutput[];
}

// Modes whose outputs are files edited in place: several such jobs may share a file and then
// run one after another in id order, after the file's creators.
const IN_PLACE_MODES = new Set(['edit', 'replace_pattern', 'update_fixtures']);

/** `jobs` sorted by id. */
export function inferFileEdges(jobs: JobSpec[]): FileEdges {
  const creators = new Map<string, string[]>();
  const editors = new Map<string, string[]>();
  for (const job of jobs) {
    for (const out of declaredOutputs(job)) {
      const byPath = IN_PLACE_MODES.has(job.mode) && !job.outputFiles?.includes(out) ? editors : creators;
      byPath.set(out, [...(byPath.get(out) ?? []), job.id]);
    }
  }
  const edges: InferredEdge[] = [];
  const add = (job: string, dep: string, needsPass: boolean, reason: string) => {
    if (dep !== job) edges.push({ job, dep, needsPass, reason });
  };
  for (const job of jobs) {
    for (const p of declaredInputs(job)) {
      const eds = editors.get(p) ?? [];
      const editsItToo = eds.includes(job.id);
      for (const c of creators.get(p) ?? []) add(job.id, c, true, `${job.id} reads ${p}, written by ${c}`);
      // An editor waits for the editors before it; a reader waits for all of them.
      for (const e of eds) if (!editsItToo || e < job.id) add(job.id, e, true, `${job.id} reads ${p}, edited by ${e}`);
    }
    for (const out of declaredOutputs(job)) {
      if (!(editors.get(out) ?? []).includes(job.id)) continue;
      for (const c of creators.get(out) ?? []) add(job.id, c, true, `${job.id} edits ${out}, written by ${c}`);
      for (const e of editors.get(out)!) if (e < job.id) add(job.id, e, true, `${job.id} edits ${out} after ${e}`);
    }
  }
  const shared: SharedOutput[] = [];
  for (const [file, ids] of creators) {
    if (ids.length < 2) continue;
    shared.push({ file, jobIds: ids });
    // Two jobs writing one file must never run at once; the later id writes last, as in WorkSplit.
    for (let i = 1; i < ids.length; i++) add(ids[i], ids[i - 1], false, `${ids[i]} and ${ids[i - 1]} both write ${file}`);
  }
  return { edges, shared };
}
