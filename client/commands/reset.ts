// `worksplit reset JOB|all [--status S]`: put jobs back to created (not ran, no error), so the
// next run picks them up.
import { listJobIds } from '../../project/jobs-folder';
import { statusStoreFor } from '../../project/status-store';
import { applyUpdate, isStatus, syncEntries } from '../../core/status';
import { Output, UsageError, plural } from '../output';
import { loadProject } from '../project';

export async function resetCommand(dir: string, target: string, status: string | undefined, out: Output): Promise<number> {
  const project = await loadProject(dir);
  const { ref } = project;
  if (status !== undefined && !isStatus(status)) throw new UsageError(`--status must be a status such as fail, partial or pending_work (got "${status}")`);
  // A running batch writes the statuses of its jobs as they end: a reset now would be overwritten.
  const { findRunningBatchHandle } = require('../live-batch') as typeof import('../live-batch');
  const running = await findRunningBatchHandle(project);
  if (running) {
    await running.close();
    throw new UsageError(`a batch is running for this project (${running.handle.workflowId}); its jobs' statuses would overwrite the reset. Wait for it to end, or stop it with: worksplit cancel all`);
  }
  const ids = await listJobIds(ref.root);
  if (target !== 'all' && !ids.includes(target)) throw new UsageError(`no job "${target}" in jobs/`);
  let reset: string[] = [];
  await statusStoreFor(ref.root).change((current) => {
    const now = new Date().toISOString();
    let entries = syncEntries(current, ids, now).entries;
    reset = entries.filter((e) => (target === 'all' || e.id === target) && (status === undefined || e.status === status)).map((e) => e.id);
    for (const id of reset) entries = applyUpdate(entries, { id, status: 'created', error: null, partialState: null, ran: false }, now);
    return entries;
  });
  out.line(reset.length > 0 ? `Reset ${plural(reset.length, 'job')} to created: ${reset.join(', ')}` : 'No job matched; nothing changed.');
  return 0;
}
