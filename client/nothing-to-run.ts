// What `run` says when no job is selected: the way to the jobs it left out, never a flag that
// would select nothing either (--rerun adds created jobs that ran, not passed ones).
import type { SelectOptions, StatusEntry } from '../core/status';

export function nothingToRun(selection: Pick<SelectOptions, 'rerun' | 'resume'>, entries: StatusEntry[]): string {
  if (entries.length > 0 && entries.every((e) => e.status === 'pass')) {
    const rerun = selection.rerun ? ' (--rerun adds jobs back in status created that ran before, such as skipped or cancelled ones, not passed ones)' : '';
    return `No jobs to run: every job has passed${rerun}. To run jobs again: worksplit reset JOB (or reset all), or worksplit run --job ID.`;
  }
  const hints = [...(selection.rerun ? [] : ['--rerun to run created jobs that ran before']), ...(selection.resume ? [] : ['--resume for stuck ones']), 'reset JOB or --job ID for the others'];
  return `No jobs to run: no job is waiting to run (use ${hints.join(', ')}).`;
}
