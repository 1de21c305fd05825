// Writing a file so that a reader sees the old content or the whole new content, never a part:
// a temp file in the same folder, written until every byte is down (a write may be short on a
// nearly full disk), fsynced, renamed over the target, then the folder fsynced. A full disk or
// quota is a DiskFullError naming the file; the old file is left as it was.
import { constants, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { printable } from '../core/printable';

/** The few file operations the writer needs; tests pass one that fails or writes short. */
export interface AtomicFs {
  open(file: string, flags: string | number, mode?: number): Promise<fs.FileHandle>;
  rename(from: string, to: string): Promise<void>;
  unlink(file: string): Promise<void>;
  stat(file: string): Promise<{ mode: number }>;
}

export const nodeFs: AtomicFs = {
  open: (file, flags, mode) => fs.open(file, flags, mode),
  rename: (from, to) => fs.rename(from, to),
  unlink: (file) => fs.unlink(file),
  stat: (file) => fs.stat(file),
};

/** Errors another attempt moments later would meet again: the disk is full, over quota, or
 * mounted read-only. */
const CANNOT_WRITE: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exceeded',
  EROFS: 'the file system is mounted read-only',
};
const DISK_FULL = new Set(Object.keys(CANNOT_WRITE));

export function isDiskFullCode(code: string | undefined): code is string {
  return code !== undefined && DISK_FULL.has(code);
}

export class DiskFullError extends Error {
  constructor(readonly file: string, readonly code: string) {
    super(`${printable(file)} could not be written: ${CANNOT_WRITE[code] ?? code} (${code}); its previous content is unchanged. ${code === 'EROFS' ? 'Make it writable' : 'Free some space'} and run again.`);
    this.name = 'DiskFullError';
  }
}

export interface AtomicWriteOptions {
  /** How errors name the file (a project-relative path); the absolute path otherwise. */
  displayName?: string;
  fs?: AtomicFs;
}

/** The written file as the disk has it: a reader that finds the same inode, size and mtime at the
 * path knows the file is still this write (every write is a new inode, renamed in place). */
export interface WrittenFile {
  ino: number;
  size: number;
  mtimeMs: number;
}

export async function writeFileAtomic(file: string, content: string | Uint8Array, opts: AtomicWriteOptions = {}): Promise<WrittenFile> {
  const io = opts.fs ?? nodeFs;
  const name = opts.displayName ?? file;
  const data = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  // A short name of its own: the target's name plus a suffix could be too long for the disk.
  const tmp = path.join(path.dirname(file), `.worksplit-${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
  // An existing file keeps its permissions; a new one gets the usual 0666 minus umask.
  const mode = await io.stat(file).then((s) => s.mode & 0o7777, () => undefined);
  let handle: fs.FileHandle | undefined;
  let written: WrittenFile;
  try {
    handle = await io.open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o666);
    if (mode !== undefined) await handle.chmod(mode);
    let offset = 0;
    while (offset < data.length) {
      const { bytesWritten } = await handle.write(data, offset, data.length - offset);
      // A write that makes no progress would loop forever; the disk is full in all but name.
      if (bytesWritten <= 0) throw Object.assign(new Error('write made no progress'), { code: 'ENOSPC' });
      offset += bytesWritten;
    }
    await handle.sync();
    const st = await handle.stat();
    written = { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs };
    await handle.close();
    handle = undefined;
    await io.rename(tmp, file);
  } catch (e) {
    await handle?.close().catch(() => undefined);
    await io.unlink(tmp).catch(() => undefined);
    const code = (e as NodeJS.ErrnoException).code;
    if (code && DISK_FULL.has(code)) throw new DiskFullError(name, code);
    throw e;
  }
  await syncDir(path.dirname(file));
  return written;
}

/** Make the rename itself durable. Not every platform can open a folder (Windows): best effort. */
async function syncDir(dir: string): Promise<void> {
  let h: fs.FileHandle | undefined;
  try {
    h = await fs.open(dir, 'r');
    await h.sync();
  } catch {
    // Durability of the rename is a bonus; the file's content is already synced.
  } finally {
    await h?.close().catch(() => undefined);
  }
}
