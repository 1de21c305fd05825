// The status file model (SPEC §3, WorkSplit's schema) and its pure transitions.

export const STATUSES = ['created', 'pending_test', 'pending_work', 'pending_verification', 'pending_test_run', 'pass', 'fail', 'partial'] as const;
export type JobStatus = (typeof STATUSES)[number];

export const STUCK_STATUSES: ReadonlySet<JobStatus> = new Set(['pending_test', 'pending_work', 'pending_verification', 'pending_test_run', 'partial']);

export interface FailedEdit {
  file: string;
  find_preview: string;
  reason: string;
  suggested_line?: number;
}

export interface PartialState {
  successful_edits: string[];
  failed_edits: FailedEdit[];
}

/** One entry of jobs/_jobstatus.json, field names exactly as WorkSplit writes them. */
export interface StatusEntry {
  id: string;
  status: JobStatus;
  created_at: string;
  updated_at: string;
  error?: string | null;
  partial_state?: PartialState | null;
  ran?: boolean;
  /** Every file the job's last run wrote (worksplit's addition; WorkSplit ignores it). */
  written_files?: string[];
  [extra: string]: unknown;
}

/** An update the status activity applies to one entry. */
export interface StatusUpdate {
  id: string;
  status: JobStatus;
  /** null clears the error; undefined leaves it. */
  error?: string | null;
  partialState?: PartialState | null;
  ran?: boolean;
  /** null clears the list; undefined leaves it. */
  writtenFiles?: string[] | null;
}

export function isStatus(s: unknown): s is JobStatus {
  return typeof s === 'string' && (STATUSES as readonly string[]).includes(s);
}

export interface SyncResult {
  entries: StatusEntry[];
  added: string[];
  removed: string[];
}

/** Bring entries in line with the job files: new jobs as created, deleted jobs dropped. */
export function syncEntries(entries: StatusEntry[], jobIds: string[], now: string): SyncResult {
  const ids = new Set(jobIds);
  const have = new Map(entries.map((e) => [e.id, e]));
  const added: string[] = [];
  const out: StatusEntry[] = [];
  for (const id of ids) {
    const e = have.get(id);
    if (e) out.push(e);
    else {
      out.push({ id, status: 'created', created_at: now, updated_at: now, ran: false });
      added.push(id);
    }
  }
  const removed = entries.filter((e) => !ids.has(e.id)).map((e) => e.id);
  return { entries: sortEntries(out), added, removed };
}

export function applyUpdate(entries: StatusEntry[], u: StatusUpdate, now: string): StatusEntry[] {
  const at = entries.findIndex((e) => e.id === u.id);
  const prev = at >= 0 ? entries[at] : undefined;
  const next: StatusEntry = prev ? { ...prev } : { id: u.id, status: 'created', created_at: now, updated_at: now, ran: false };
  next.status = u.status;
  next.updated_at = now;
  if (u.error !== undefined) {
    if (u.error === null) delete next.error;
    else next.error = u.error;
  }
  if (u.partialState !== undefined) {
    if (u.partialState === null) delete next.partial_state;
    else next.partial_state = u.partialState;
  }
  if (u.ran !== undefined) next.ran = u.ran;
  if (u.writtenFiles !== undefined) {
    if (u.writtenFiles === null) delete next.written_files;
    else next.written_files = u.writtenFiles;
  }
  // An entry changing in place keeps the order (a large batch applies thousands of these).
  if (prev) return entries.map((e, i) => (i === at ? next : e));
  return sortEntries([...entries, next]);
}

export interface SelectOptions {
  resume: boolean;
  rerun: boolean;
  /** Run exactly this job, whatever its status. */
  only?: string;
  /** Run exactly these jobs, whatever their status (retry --failed, fix-all). */
  ids?: string[];
}

/** Which jobs a run picks (SPEC §3): created and not ran (or also ran with rerun), plus stuck
 * ones with resume. */
export function selectJobs(entries: StatusEntry[], opts: SelectOptions): { selected: string[]; stuck: string[] } {
  const stuck = entries.filter((e) => STUCK_STATUSES.has(e.status)).map((e) => e.id);
  if (opts.only !== undefined) return { selected: entries.some((e) => e.id === opts.only) ? [opts.only] : [], stuck };
  if (opts.ids !== undefined) return { selected: entries.filter((e) => opts.ids!.includes(e.id)).map((e) => e.id), stuck };
  const selected = entries
    .filter((e) => (e.status === 'created' && (!e.ran || opts.rerun)) || (opts.resume && STUCK_STATUSES.has(e.status)))
    .map((e) => e.id);
  return { selected, stuck };
}

export interface StatusCounts {
  passed: number;
  failed: number;
  partial: number;
  pending: number;
  created: number;
}

export function countStatuses(entries: StatusEntry[]): StatusCounts {
  const c: StatusCounts = { passed: 0, failed: 0, partial: 0, pending: 0, created: 0 };
  for (const e of entries) {
    if (e.status === 'pass') c.passed++;
    else if (e.status === 'fail') c.failed++;
    else if (e.status === 'partial') c.partial++;
    else if (e.status === 'created') c.created++;
    else c.pending++;
  }
  return c;
}

/** The one-line summary, e.g. "5 passed, 1 failed, 2 pending". */
export function summaryLine(entries: StatusEntry[]): string {
  const c = countStatuses(entries);
  const parts = [`${c.passed} passed`, `${c.failed} failed`];
  if (c.partial) parts.push(`${c.partial} partial`);
  parts.push(`${c.pending + c.created} pending`);
  return parts.join(', ');
}

/** Parse the status file's text; throws with a clear reason when it is not WorkSplit's schema. */
export function parseStatusFile(text: string): StatusEntry[] {
  const data: unknown = JSON.parse(text);
  if (!Array.isArray(data)) throw new Error('expected a JSON array of job entries');
  return data.map((e, i) => {
    if (typeof e !== 'object' || e === null) throw new Error(`entry ${i} is not an object`);
    const o = e as Record<string, unknown>;
    if (typeof o.id !== 'string') throw new Error(`entry ${i}: "id" must be a string`);
    if (!isStatus(o.status)) throw new Error(`entry ${i} (${o.id}): unknown status ${JSON.stringify(o.status)}`);
    return o as StatusEntry;
  });
}

export function formatStatusFile(entries: StatusEntry[]): string {
  return `${JSON.stringify(sortEntries(entries), null, 2)}\n`;
}

function sortEntries(entries: StatusEntry[]): StatusEntry[] {
  return [...entries].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
