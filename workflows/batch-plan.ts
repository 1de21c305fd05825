// The batch's first step: read the job folder into a plan and sync the status file. Jobs that
// cannot run fail at once with their reason, their dependents are skipped; the batch records them.
import { newSchedule, markSkipped, markUnsuccessful } from '../core/schedule';
import { waitsFor } from '../core/graph';
import { emptyUsage } from '../core/usage';
import type { fileActivities } from './activity-proxies';
import type { BatchInput, CarriedBatch } from './types';

export async function planBatch(input: BatchInput, files: ReturnType<typeof fileActivities>): Promise<{ plan: CarriedBatch; failed: string[] }> {
  const { project, settings } = input;
  const p = await files.planBatch({ root: project.root, maxContextFiles: settings.limits.maxContextFiles, selection: input.selection });
  await files.syncStatusFile({ root: project.root, ids: p.allIds });
  // p.after is absent from plans recorded before order-only edges existed: no change then.
  const schedule = newSchedule(p.selected, p.deps, p.after);
  const stuck = p.stuckNotResumed.length > 0 ? [`${p.stuckNotResumed.length} stuck job(s) not resumed (${p.stuckNotResumed.join(', ')}); run with --resume to retry them`] : [];
  const failed = Object.entries(p.invalid).flatMap(([id, reason]) => [id, ...markUnsuccessful(schedule, id, 'failed', reason)]);
  // Plans before `blocked` existed have none: nothing changes for them.
  for (const [id, reason] of Object.entries(p.blocked ?? {})) if (schedule.jobs[id]?.state === 'waiting') failed.push(...markSkipped(schedule, id, reason));
  const plan: CarriedBatch = {
    schedule,
    dependencyOutputs: p.dependencyOutputs,
    descriptions: p.descriptions,
    deps: waitsFor(p.deps, p.after),
    groups: p.groups,
    tokens: emptyUsage(),
    warnings: [...p.warnings, ...stuck],
    paused: false,
    maxConcurrent: settings.maxConcurrent,
    stopping: false,
    generation: 0,
    ...(p.fingerprints ? { fingerprints: p.fingerprints } : {}),
  };
  return { plan, failed };
}
