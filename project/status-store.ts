// jobs/_jobstatus.json on disk: read, and changed under a lock that holds across processes.
// Concurrent changes from one process are coalesced into one read-modify-write, so a batch of
// many jobs does not rewrite the file once per job under contention.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { StatusEntry, formatStatusFile, parseStatusFile } from '../core/status';
import { UnsafePathError } from '../core/paths';
import { DiskFullError, WrittenFile, isDiskFullCode, writeFileAtomic } from './atomic-write';

export const STATUS_FILE = 'jobs/_jobstatus.json';

export class StatusFileCorruptError extends Error {
  constructor(readonly file: string, readonly backup: string, reason: string) {
    super(`${file} is not a valid status file (${reason}); it was left as is and a copy saved to ${backup}. Fix it, or delete it to start every job from "created".`);
    this.name = 'StatusFileCorruptError';
  }
}

type Change = (entries: StatusEntry[]) => StatusEntry[];

interface Pending {
  change: Change;
  resolve: (entries: StatusEntry[]) => void;
  reject: (e: unknown) => void;
}

export class StatusStore {
  readonly file: string;
  private queue: Pending[] = [];
  private running = false;

  constructor(readonly root: string) {
    this.file = path.join(root, ...STATUS_FILE.split('/'));
  }

  // What this store last wrote: when the file is still that write (same inode, size and mtime),
  // or holds exactly that text, its entries need not be read or parsed again. A batch of
  // thousands of jobs rewrites the file after every job step, and reading 1 MB back each time was
  // most of the garbage a big batch made. Entries are never changed in place, so handing the same
  // objects out again is safe.
  private lastWritten?: { text: string; entries: StatusEntry[]; file: WrittenFile };

  /** Current entries; [] when the file does not exist yet. */
  async read(): Promise<StatusEntry[]> {
    let text: string;
    try {
      // A symlink could lead the tool to rewrite a file anywhere (the status file is rewritten often).
      const st = await fs.lstat(this.file);
      if (st.isSymbolicLink()) {
        throw new UnsafePathError(STATUS_FILE, 'is a symlink (rule: the status file and system prompts in jobs/ must be regular files, never links)');
      }
      const mine = this.lastWritten;
      // An inode of 0 means the file system does not number its files: compare the text instead.
      if (mine && mine.file.ino !== 0 && st.ino === mine.file.ino && st.size === mine.file.size && st.mtimeMs === mine.file.mtimeMs) return mine.entries;
      text = await fs.readFile(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    if (this.lastWritten?.text === text) return this.lastWritten.entries;
    try {
      return parseStatusFile(text);
    } catch (e) {
      const backup = `${this.file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      await fs.copyFile(this.file, backup);
      throw new StatusFileCorruptError(STATUS_FILE, path.relative(this.root, backup), (e as Error).message);
    }
  }

  /** Apply a change under the lock; resolves with the entries as written. */
  change(change: Change): Promise<StatusEntry[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ change, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0);
        try {
          const written = await this.writeLocked(batch.map((p) => p.change));
          batch.forEach((p) => p.resolve(written));
        } catch (e) {
          batch.forEach((p) => p.reject(e));
        }
      }
    } finally {
      this.running = false;
    }
  }

  private async writeLocked(changes: Change[]): Promise<StatusEntry[]> {
    await fs.mkdir(path.dirname(this.file), { recursive: true });
    // Loaded on the first write: commands that only read the file do not pay for it.
    const lockfile = require('proper-lockfile') as typeof import('proper-lockfile');
    const release = await lockfile
      .lock(this.file, {
        realpath: false,
        stale: 10_000,
        retries: { retries: 200, minTimeout: 10, maxTimeout: 100, factor: 1.5 },
      })
      .catch((e: NodeJS.ErrnoException) => {
        // The lock is a folder beside the file: a full or read-only disk is known here already.
        throw isDiskFullCode(e.code) ? new DiskFullError(STATUS_FILE, e.code) : e;
      });
    try {
      let entries = await this.read();
      for (const c of changes) entries = c(entries);
      const text = formatStatusFile(entries);
      const file = await writeFileAtomic(this.file, text, { displayName: STATUS_FILE });
      this.lastWritten = { text, entries, file };
      return entries;
    } finally {
      await release();
    }
  }
}

const stores = new Map<string, StatusStore>();

/** One store per project root in this process, so all its writers share one queue. */
export function statusStoreFor(root: string): StatusStore {
  const key = path.resolve(root);
  let s = stores.get(key);
  if (!s) stores.set(key, (s = new StatusStore(key)));
  return s;
}
