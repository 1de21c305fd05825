// Reading and writing files inside a project root, with the path rules of core/paths plus
// the one check that needs the disk: a symlink must not lead outside the root.
import { constants, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { UnsafePathError, assertWritablePath, normalizeProjectPath, protectedReason } from '../core/paths';
import { DEFAULT_MAX_FILE_BYTES, formatBytes } from '../core/limits';
import { printable } from '../core/printable';
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
        throw new UnsafePathError(rel, `resolves through a symlink to ${printable(real)}, outside the project root`);
      }
      if (mode === 'write' && real !== realRoot) {
        const resolved = [...path.relative(realRoot, real).split(path.sep), ...path.relative(probe, abs).split(path.sep).filter((s) => s !== '')].join('/');
        const reason = resolved !== clean ? protectedReason(resolved) : undefined;
        if (reason) throw new UnsafePathError(rel, `resolves through a symlink to ${printable(resolved)}, which ${reason}`);
      }
      break;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENAMETOOLONG') throw new UnsafePathError(rel, 'is too long for the file system (rule: names of at most 255 bytes)');
      if (code === 'ENOTDIR') throw new ProjectFileError(rel, 'cannot be reached: a part of its path is a file, not a folder');
      if (code !== 'ENOENT') throw e;
      // realpath fails the same way for a missing part and for a symlink that leads nowhere.
      if (await fs.lstat(probe).then((st) => st.isSymbolicLink(), () => false)) {
        throw new UnsafePathError(rel, `goes through ${printable(path.relative(realRoot, probe).split(path.sep).join('/'))}, a symlink to something that does not exist (rule: no dangling symlinks)`);
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
    super(`${printable(path)}: ${message}`);
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
    super(`${printable(path)}: ${message}`);
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
 * full disk leaves the old file as it was (DiskFullError). Confined under concurrent change: on
 * Linux no part of the path is followed as a symlink between the check and the write (see
 * writeInHeldFolder); elsewhere the path is checked, written, and its folder checked again. */
export async function writeProjectText(root: string, rel: string, content: string, createDirs: boolean, opts: { heldFolders?: boolean } = {}): Promise<void> {
  const abs = await resolveInProject(root, rel, 'write');
  try {
    if (opts.heldFolders ?? (await canWriteThroughHeldFolders())) await writeInHeldFolder(root, rel, content, createDirs);
    else await writeCheckedTwice(root, abs, rel, content, createDirs);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENAMETOOLONG') throw new UnsafePathError(rel, 'makes a path too long for the file system (rule: names of at most 255 bytes)');
    throw e;
  }
}

// On Linux a path through /proc/self/fd/N is looked up from the folder that descriptor holds
// open, wherever that folder is now: a later rename or swap of an ancestor cannot redirect it.
const HELD = '/proc/self/fd';
const DIR_FLAGS = constants.O_RDONLY | (constants.O_DIRECTORY ?? 0);
const NO_FOLLOW_DIR = DIR_FLAGS | (constants.O_NOFOLLOW ?? 0);
/** Symlinks followed (and retries of a part that changed under us) before giving up. */
const MAX_HOPS = 40;
let heldFoldersWork: Promise<boolean> | undefined;

/** Whether this system looks paths up through held-open folders (Linux with /proc mounted). */
export function canWriteThroughHeldFolders(): Promise<boolean> {
  heldFoldersWork ??= (async () => {
    if (process.platform !== 'linux' || constants.O_NOFOLLOW === undefined || constants.O_DIRECTORY === undefined) return false;
    let h: fs.FileHandle | undefined;
    try {
      h = await fs.open(path.parse(process.cwd()).root, DIR_FLAGS);
      const [held, direct] = await Promise.all([fs.stat(`${HELD}/${h.fd}/.`), h.stat()]);
      return held.ino === direct.ino && held.dev === direct.dev;
    } catch {
      return false;
    } finally {
      await h?.close().catch(() => undefined);
    }
  })();
  return heldFoldersWork;
}

/** The folder a file goes in, held open, reached from the project root one part at a time; each
 * part is opened without following a symlink, so what is opened is a real folder under the one
 * before it at the moment it is opened. A symlink part is resolved and, when it stays inside the
 * project, walked again from the root the same way (so the folders it names are opened without
 * following either). `logical` is the folder's path in the project as walked. */
async function holdFolderOf(realRoot: string, rel: string, clean: string, createDirs: boolean): Promise<{ dir: fs.FileHandle; logical: string[]; close(): Promise<void> }> {
  const root = await fs.open(realRoot, DIR_FLAGS);
  let cur = root;
  let logical: string[] = [];
  // Parts still to walk; `linked` parts come from a symlink's target and must exist.
  const pending = clean.split('/').slice(0, -1).map((seg) => ({ seg, linked: false }));
  let hops = 0;
  const hop = () => {
    if (++hops > MAX_HOPS) throw new ProjectFileError(rel, `cannot be reached: its path goes through more than ${MAX_HOPS} symlinks, or keeps changing while it is written`);
  };
  const step = async (next: fs.FileHandle | undefined) => {
    if (cur !== root) await cur.close();
    cur = next ?? root;
  };
  try {
    while (pending.length > 0) {
      const { seg, linked } = pending.shift()!;
      const at = `${HELD}/${cur.fd}/${seg}`;
      const here = [...logical, seg].join('/');
      try {
        const next = await fs.open(at, NO_FOLLOW_DIR);
        logical.push(seg);
        await step(next);
        continue;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') {
          if (linked) throw new UnsafePathError(rel, `goes through a symlink to ${printable(here)}, which does not exist (rule: no dangling symlinks)`);
          if (!createDirs) throw Object.assign(new Error(`${printable(rel)}: its folder ${printable(here)} does not exist ([behavior] create_output_dirs is off)`), { code: 'ENOENT' });
          // Made here, or by someone else meanwhile (then counted: it may keep changing).
          await fs.mkdir(at).catch((err: NodeJS.ErrnoException) => {
            if (err.code !== 'EEXIST') throw err;
            hop();
          });
          pending.unshift({ seg, linked });
          continue;
        }
        // O_NOFOLLOW|O_DIRECTORY on a symlink fails with ENOTDIR (ELOOP without O_DIRECTORY).
        if (code !== 'ENOTDIR' && code !== 'ELOOP') throw e;
      }
      const st = await fs.lstat(at).catch(() => undefined);
      if (st?.isSymbolicLink()) {
        hop();
        // Where it leads now; the parts of that path are then opened one by one, without following.
        const real = await fs.realpath(at).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : Promise.reject(e)));
        if (real === undefined) throw new UnsafePathError(rel, `goes through ${printable(here)}, a symlink to something that does not exist (rule: no dangling symlinks)`);
        if (real !== realRoot && !real.startsWith(realRoot + path.sep)) throw new UnsafePathError(rel, `resolves through a symlink to ${printable(real)}, outside the project root`);
        pending.unshift(...path.relative(realRoot, real).split(path.sep).filter((s) => s !== '').map((s) => ({ seg: s, linked: true })));
        logical = [];
        await step(undefined);
      } else if (st === undefined || st.isDirectory()) {
        hop(); // it changed between the open and the look: look again
        pending.unshift({ seg, linked });
      } else {
        throw new ProjectFileError(rel, 'cannot be reached: a part of its path is a file, not a folder');
      }
    }
  } catch (e) {
    await step(undefined);
    await root.close();
    throw e;
  }
  const dir = cur;
  return { dir, logical, close: async () => { if (dir !== root) await dir.close(); await root.close(); } };
}

/** Linux: the temp file is created, written and renamed in the folder held open (holdFolderOf),
 * so neither lands anywhere else whatever is renamed or swapped meanwhile. Afterwards the held
 * folder must still be inside the project (a folder moved out while it was written): the file is
 * taken back out of it and the write fails. */
async function writeInHeldFolder(root: string, rel: string, content: string, createDirs: boolean): Promise<void> {
  const clean = assertWritablePath(rel);
  const realRoot = await fs.realpath(root);
  const name = clean.split('/').pop()!;
  const held = await holdFolderOf(realRoot, rel, clean, createDirs);
  try {
    const resolved = [...held.logical, name].join('/');
    const reason = resolved !== clean ? protectedReason(resolved) : undefined;
    if (reason) throw new UnsafePathError(rel, `resolves through a symlink to ${printable(resolved)}, which ${reason}`);
    const target = `${HELD}/${held.dir.fd}/${name}`;
    const written = await writeFileAtomic(target, content, { displayName: rel });
    const now = await fs.readlink(`${HELD}/${held.dir.fd}`);
    if (now === realRoot || now.startsWith(realRoot + path.sep)) return;
    // Moved out (or removed) while written: take our file back out of it.
    if ((await fs.lstat(target).catch(() => undefined))?.ino === written.ino) await fs.unlink(target).catch(() => undefined);
    throw new UnsafePathError(rel, `was written into a folder that was moved out of the project (to ${printable(now)}) while it was written; the file was removed again`);
  } finally {
    await held.close();
  }
}

/** Elsewhere (no held-folder lookups): the path was checked (resolveInProject), is written, and
 * its folder is checked again after; a file found to have gone outside is removed. Weaker: a swap
 * between the check and the write that is undone before the second check goes unseen. */
async function writeCheckedTwice(root: string, abs: string, rel: string, content: string, createDirs: boolean): Promise<void> {
  if (createDirs) await fs.mkdir(path.dirname(abs), { recursive: true });
  const written = await writeFileAtomic(abs, content, { displayName: rel });
  const realRoot = await fs.realpath(root);
  const dir = await fs.realpath(path.dirname(abs)).catch(() => undefined);
  if (dir !== undefined && (dir === realRoot || dir.startsWith(realRoot + path.sep))) return;
  const landed = dir === undefined ? abs : path.join(dir, path.basename(abs));
  if ((await fs.lstat(landed).catch(() => undefined))?.ino === written.ino) await fs.unlink(landed).catch(() => undefined);
  throw new UnsafePathError(rel, `was written through a folder that changed to ${printable(dir ?? 'nothing')}, outside the project, while it was written; the file was removed again`);
}
