// Reading and writing files inside a project root, with the path rules of core/paths plus
// the one check that needs the disk: a symlink must not lead outside the root.
import { constants, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { UnsafePathError, assertWritablePath, normalizeProjectPath, protectedReason } from '../core/paths';
import { DEFAULT_MAX_FILE_BYTES, formatBytes } from '../core/limits';
import { writeFileAtomic } from './atomic-write';

/** Absolute path of `rel` in `root`, after checking that every existing part of it resolves
 * inside the root (so a symlinked folder or file cannot lead out), that no part is a dangling
 * symlink, and, for a write, that the resolved path is not protected either (a symlinked folder
 * must not lead into jobs/ or .git/). */
export async function resolveInProject(root: string, rel: string, mode: 'read' | 'write'): Promise<string> {
  const clean = mode === 'write' ? assertWritablePath(rel) : normalizeProjectPath(rel);
  const realRoot = await fs.realpath(root);
  const abs = path.join(realRoot, ...clean.split('/'));
  // Walk up to the deepest part that exists and resolve it; the rest is yet to be created.
  let probe = abs;
  for (;;) {
    try {
      const real = await fs.realpath(probe);
      if (real !== realRoot && !real.startsWith(realRoot + path.sep)) {
        throw new UnsafePathError(rel, `resolves through a symlink to ${real}, outside the project root`);
      }
      if (mode === 'write' && real !== realRoot) {
        const resolved = [...path.relative(realRoot, real).split(path.sep), ...path.relative(probe, abs).split(path.sep).filter((s) => s !== '')].join('/');
        const reason = resolved !== clean ? protectedReason(resolved) : undefined;
        if (reason) throw new UnsafePathError(rel, `resolves through a symlink to ${resolved}, which ${reason}`);
      }
      break;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENAMETOOLONG') throw new UnsafePathError(rel, 'is too long for the file system (rule: names of at most 255 bytes)');
      if (code === 'ENOTDIR') throw new ProjectFileError(rel, 'cannot be reached: a part of its path is a file, not a folder');
      if (code !== 'ENOENT') throw e;
      // realpath fails the same way for a missing part and for a symlink that leads nowhere.
      if (await fs.lstat(probe).then((st) => st.isSymbolicLink(), () => false)) {
        throw new UnsafePathError(rel, `goes through ${path.relative(realRoot, probe).split(path.sep).join('/')}, a symlink to something that does not exist (rule: no dangling symlinks)`);
      }
      const up = path.dirname(probe);
      if (up === probe) break;
      probe = up;
    }
  }
  return abs;
}

export class ProjectFileError extends Error {
  constructor(readonly path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = 'ProjectFileError';
  }
}

export class MissingFileError extends ProjectFileError {
  constructor(path: string) {
    super(path, 'does not exist (or is a symlink to nothing)');
    this.name = 'MissingFileError';
  }
}

/** A folder, FIFO, device or socket where a file was expected. */
export class NotRegularFileError extends ProjectFileError {
  constructor(path: string, kind: string) {
    super(path, `is ${kind}, not a regular file`);
    this.name = 'NotRegularFileError';
  }
}

export class LimitExceededError extends Error {
  constructor(readonly path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = 'LimitExceededError';
  }
}

export interface BoundedReadOptions {
  /** Larger files fail with LimitExceededError. */
  maxBytes: number;
  /** The setting that raises the cap, for the error message. */
  setting: string;
  /** Refuse a symlink (the tool's own files in jobs/ must be regular files). */
  noFollow?: boolean;
}

/**
 * The bytes of a regular file no larger than the cap. A folder, FIFO or device is refused by
 * name without reading it (opening non-blocking: a FIFO without a writer would wait forever,
 * /dev/zero never ends); the size is checked before reading and again while reading.
 */
export async function readBoundedFile(abs: string, rel: string, opts: BoundedReadOptions): Promise<Buffer> {
  const flags = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (opts.noFollow ? constants.O_NOFOLLOW ?? 0 : 0);
  let h: fs.FileHandle;
  try {
    h = await fs.open(abs, flags);
  } catch (e) {
    throw openError(e, rel, opts);
  }
  try {
    const st = await h.stat();
    if (!st.isFile()) throw new NotRegularFileError(rel, fileKind(st));
    const over = (what: string) => new LimitExceededError(rel, `is ${what}, over the ${formatBytes(opts.maxBytes)} limit (${opts.setting})`);
    if (st.size > opts.maxBytes) throw over(formatBytes(st.size));
    // Read to the end, not to the size stat gave: the file may be growing. One byte more than the
    // cap is enough to tell.
    let buf = Buffer.alloc(st.size + 1);
    let n = 0;
    for (;;) {
      if (n === buf.length) {
        if (n > opts.maxBytes) throw over('larger than that now');
        const bigger = Buffer.alloc(Math.min(buf.length * 2, opts.maxBytes + 1));
        buf.copy(bigger);
        buf = bigger;
      }
      const { bytesRead } = await h.read(buf, n, buf.length - n, null);
      if (bytesRead === 0) break;
      n += bytesRead;
    }
    return buf.subarray(0, n);
  } finally {
    await h.close();
  }
}

function openError(e: unknown, rel: string, opts: BoundedReadOptions): unknown {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new MissingFileError(rel);
  if (code === 'ELOOP' && opts.noFollow) return new UnsafePathError(rel, 'is a symlink (rule: the status file and system prompts in jobs/ must be regular files, never links)');
  if (code === 'ELOOP') return new ProjectFileError(rel, 'is a symlink loop');
  if (code === 'ENAMETOOLONG') return new UnsafePathError(rel, 'is too long for the file system (rule: names of at most 255 bytes)');
  if (code === 'ENOTDIR') return new ProjectFileError(rel, 'does not exist (a part of its path is a file, not a folder)');
  return e;
}

export function fileKind(st: import('node:fs').Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSocket()) return 'a socket';
  return 'a special file';
}

/** A project text file's content, refusing missing files, folders, binary and oversized files. */
export async function readProjectText(root: string, rel: string, maxBytes = DEFAULT_MAX_FILE_BYTES): Promise<string> {
  const abs = await resolveInProject(root, rel, 'read');
  const buf = await readBoundedFile(abs, rel, { maxBytes, setting: '[limits] max_file_bytes' });
  if (buf.subarray(0, 8000).includes(0)) throw new ProjectFileError(rel, 'is a binary file; only text files can be context');
  return buf.toString('utf8');
}

/** Write a project file atomically (temp file + rename): a reader never sees half a file, and a
 * full disk leaves the old file as it was (DiskFullError). */
export async function writeProjectText(root: string, rel: string, content: string, createDirs: boolean): Promise<void> {
  const abs = await resolveInProject(root, rel, 'write');
  try {
    if (createDirs) await fs.mkdir(path.dirname(abs), { recursive: true });
    await writeFileAtomic(abs, content, { displayName: rel });
  } catch (e) {
    // The project root's own path counts against the system's limit too: final, not retried.
    if ((e as NodeJS.ErrnoException).code === 'ENAMETOOLONG') throw new UnsafePathError(rel, 'makes a path too long for the file system (rule: names of at most 255 bytes)');
    throw e;
  }
}
