// jobs/_jobstatus.json on disk: read, and changed under a lock that holds across processes.
// Concurrent changes from one process are coalesced into one read-modify-write, so a batch of
// many jobs does not rewrite the file once per job under contention.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { StatusEntry, formatStatusFile, parseStatusFile } from '../core/status';
import { DiskFullError, WrittenFile, isDiskFullCode, writeFileAtomic } from './atomic-write';
import { MissingFileError, readBoundedFile } from './project-fs';
import { UnsafePathError } from '../core/paths';

export const STATUS_FILE = 'jobs/_jobstatus.json';

export class StatusFileCorruptError extends Error {
  /** `backup`: where a copy of the file is, when a writer saved one; a read-only command saves
   * none (it must not write). */
  constructor(readonly file: string, readonly backup: string | undefined, reason: string) {
    super(
      backup
        ? `${file} is not a valid status file (${reason}); it was left as is and a copy saved to ${backup}. Fix it, or delete it to start every job from "created".`
        : `${file} is not a valid status file (${reason}); it was left as is (no copy was made: this command only reads it). Fix it, or move it aside to start every job from "created".`,
    );
    this.name = 'StatusFileCorruptError';
  }
}

/** The status file is read whole into memory: a cap far above any real batch (a few hundred
 * bytes a job) so that a huge file is refused by name rather than exhausting the process. */
export const STATUS_FILE_MAX_BYTES = 256 * 1024 * 1024;

export interface StatusReadOptions {
  /** Save a copy of a corrupt file before failing: for the writers (a run about to start, a
   * change), never for a read-only command. One copy per distinct content. */
  backUpCorrupt?: boolean;
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

  /** Current entries; [] when the file does not exist yet. A folder, FIFO or device in its place
   * is refused by name (NotRegularFileError) without waiting on it; a symlink too (UnsafePathError). */
  async read(opts: StatusReadOptions = {}): Promise<StatusEntry[]> {
    let bytes: Buffer;
    try {
      const st = await fs.lstat(this.file);
      // Refused here too, not only by O_NOFOLLOW: Windows has no such flag and would follow it.
      if (st.isSymbolicLink()) throw new UnsafePathError(STATUS_FILE, 'is a symlink (rule: the status file and system prompts in jobs/ must be regular files, never links)');
      const mine = this.lastWritten;
      // An inode of 0 means the file system does not number its files: compare the text instead.
      if (mine && mine.file.ino !== 0 && st.ino === mine.file.ino && st.size === mine.file.size && st.mtimeMs === mine.file.mtimeMs) return mine.entries;
      // Non-blocking and regular files only: a FIFO without a writer would hang every command.
      // Never through a symlink (O_NOFOLLOW): it could lead the tool to rewrite a file anywhere.
      bytes = await readBoundedFile(this.file, STATUS_FILE, { maxBytes: STATUS_FILE_MAX_BYTES, setting: 'the most a status file may hold', noFollow: true });
    } catch (e) {
      // Gone between the lstat and the open counts as gone.
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' || e instanceof MissingFileError) return [];
      throw e;
    }
    const text = bytes.toString('utf8');
    if (this.lastWritten?.text === text) return this.lastWritten.entries;
    try {
      return parseStatusFile(text);
    } catch (e) {
      const backup = opts.backUpCorrupt ? await this.backUp(bytes) : undefined;
      throw new StatusFileCorruptError(STATUS_FILE, backup && path.relative(this.root, backup).split(path.sep).join('/'), (e as Error).message);
    }
  }

  /** A copy of the corrupt file's bytes beside it, unless an identical copy is there already (a
   * run retried over the same broken file must not pile up copies). Returns the copy's path. */
  private async backUp(bytes: Buffer): Promise<string> {
    const dir = path.dirname(this.file);
    const prefix = `${path.basename(this.file)}.corrupt-`;
    for (const name of (await fs.readdir(dir)).filter((n) => n.startsWith(prefix)).sort()) {
      const copy = path.join(dir, name);
      const st = await fs.lstat(copy).catch(() => undefined);
      if (st?.isFile() && st.size === bytes.length && (await fs.readFile(copy)).equals(bytes)) return copy;
    }
    const backup = path.join(dir, `${prefix}${new Date().toISOString().replace(/[:.]/g, '-')}`);
    // 'wx': never overwrite a file already there.
    await fs.writeFile(backup, bytes, { flag: 'wx' });
    return backup;
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
      let entries = await this.read({ backUpCorrupt: true });
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
