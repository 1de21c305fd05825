// After a batch: files that two jobs wrote while both were running. Jobs declaring the same
// output never overlap (they run in id order), so this finds a multi-file answer writing a file
// another job also writes, which no plan can foresee. Pure.

export interface JobWrites {
  outputs?: string[];
  /** Epoch ms. */
  startedAt?: number;
  finishedAt?: number;
}

export interface WriteRace {
  file: string;
  jobIds: [string, string];
}

export function concurrentWriters(jobs: Record<string, JobWrites>): WriteRace[] {
  const writers = new Map<string, string[]>();
  for (const [id, j] of Object.entries(jobs)) for (const f of j.outputs ?? []) writers.set(f, [...(writers.get(f) ?? []), id]);
  const races: WriteRace[] = [];
  for (const [file, ids] of writers) {
    const sorted = [...ids].sort();
    for (let i = 0; i < sorted.length; i++) {
      for (let k = i + 1; k < sorted.length; k++) {
        if (overlap(jobs[sorted[i]], jobs[sorted[k]])) races.push({ file, jobIds: [sorted[i], sorted[k]] });
      }
    }
  }
  return races.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

function overlap(a: JobWrites, b: JobWrites): boolean {
  if (a.startedAt === undefined || a.finishedAt === undefined || b.startedAt === undefined || b.finishedAt === undefined) return false;
  return a.startedAt < b.finishedAt && b.startedAt < a.finishedAt;
}
