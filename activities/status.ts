// The status file projection: the only activities that write jobs/_jobstatus.json.
import { StatusUpdate, applyUpdate, syncEntries } from '../core/status';
import { typedFailures } from './failures';
import { statusStoreFor } from '../project/status-store';

export interface SyncStatusRequest {
  root: string;
  ids: string[];
}

/** Add new jobs as created and drop entries whose job file is gone. Idempotent. */
export async function syncStatusFile(req: SyncStatusRequest): Promise<{ added: string[]; removed: string[] }> {
  return typedFailures(async () => {
    let added: string[] = [];
    let removed: string[] = [];
    await statusStoreFor(req.root).change((entries) => {
      const r = syncEntries(entries, req.ids, new Date().toISOString());
      added = r.added;
      removed = r.removed;
      return r.entries;
    });
    return { added, removed };
  });
}

export interface RecordStatusRequest {
  root: string;
  updates: StatusUpdate[];
}

/** Set the status of one or more jobs. Idempotent: applying the same updates twice leaves the
 * same statuses (only updated_at moves). */
export async function recordStatus(req: RecordStatusRequest): Promise<void> {
  await typedFailures(() =>
    statusStoreFor(req.root).change((entries) => {
      const now = new Date().toISOString();
      return req.updates.reduce((acc, u) => applyUpdate(acc, u, now), entries);
    }),
  );
}
